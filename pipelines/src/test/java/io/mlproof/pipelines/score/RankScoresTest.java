package io.mlproof.pipelines.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** Ranking the gathered scores and the compact batches they travel in; orders worked by hand. */
class RankScoresTest {

  @Test
  void ranksByScoreDescendingAndEqualScoresByEntityId() {
    String[] ids = {"b", "a", "c", "d", "aa"};
    double[] scores = {0.5, 0.9, 0.5, 0.1, 0.5};
    // a (0.9); then the 0.5s by id: aa, b, c; then d (0.1).
    assertThat(RankScores.rank(ids, scores, "x")).containsExactly(1, 4, 0, 2, 3);
  }

  @Test
  void anEntityTwiceIsRefusedByName() {
    assertThatThrownBy(
            () -> RankScores.rank(new String[] {"a", "b", "a"}, new double[] {1, 2, 3}, "/f"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "entity a appears twice at the scoring day in /f: the features must hold one row per"
                + " entity");
  }

  @Test
  void theSmallestOfSeveralRepeatedEntitiesIsNamed() {
    // "b" and "a" both appear twice; the message names the smallest id, as the sort by id did.
    assertThatThrownBy(
            () ->
                RankScores.rank(
                    new String[] {"b", "c", "a", "b", "a"}, new double[] {1, 2, 3, 4, 5}, "/f"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("entity a appears twice");
  }

  @Test
  void idsOfEqualHashAreToldApart() {
    // "Aa" and "BB" share String.hashCode (2112): distinct ids, so no error, and ranked by id.
    assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
    assertThat(RankScores.smallestDuplicate(new String[] {"BB", "Aa", "AaBB", "BBAa"})).isNull();
    assertThat(RankScores.smallestDuplicate(new String[] {"BB", "Aa", "BB"})).isEqualTo("BB");
    assertThat(RankScores.rank(new String[] {"BB", "Aa"}, new double[] {0.5, 0.5}, "x"))
        .containsExactly(1, 0);
  }

  @Test
  void signedZerosInfinitiesAndNegativesRankAsDoubleCompareOrdersThem() {
    String[] ids = {"a", "b", "c", "d", "e", "f", "g"};
    double[] scores = {
      -0.0, 0.0, Double.NEGATIVE_INFINITY, -1.5, Double.POSITIVE_INFINITY, 1e-300, -1e-300
    };
    // Descending: +inf (e), 1e-300 (f), 0.0 (b), -0.0 (a), -1e-300 (g), -1.5 (d), -inf (c).
    assertThat(RankScores.rank(ids, scores, "x")).containsExactly(4, 5, 1, 0, 6, 3, 2);
  }

  @Test
  void manyRowsRankAsTwoStableSortsWould() {
    // The order of sessions 5 and 6: sort the rows by id, then stably by score descending. Many
    // equal scores (a quarter of the rows share 50 values, so ties by the thousand), ids that share
    // prefixes and lengths.
    int n = 200_000;
    SplittableRandom random = new SplittableRandom(7);
    String[] ids = new String[n];
    double[] scores = new double[n];
    for (int i = 0; i < n; i++) {
      ids[i] = "u" + Integer.toString((i * 7919 + 13) % n, 36);
      scores[i] = random.nextInt(4) == 0 ? random.nextInt(50) / 50.0 : random.nextDouble();
    }
    Integer[] reference = new Integer[n];
    for (int i = 0; i < n; i++) {
      reference[i] = i;
    }
    Arrays.sort(reference, Comparator.comparing((Integer i) -> ids[i]));
    Arrays.sort(reference, (a, b) -> Double.compare(scores[b], scores[a]));
    assertThat(RankScores.rank(ids, scores, "x"))
        .isEqualTo(Arrays.stream(reference).mapToInt(Integer::intValue).toArray());
  }

  @Test
  void aNaNScoreIsRefused() {
    assertThatThrownBy(
            () -> RankScores.rank(new String[] {"a", "b"}, new double[] {1, Double.NaN}, "/f"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("score of entity b is NaN: scores must be numbers");
  }

  @Test
  void aBatchSurvivesItsCoderExactly() throws Exception {
    ScoredBatch batch =
        new ScoredBatch(
            new String[] {"u1", "", "ünï,\"q\""}, new double[] {0.125, -0.0, Double.MIN_VALUE});
    ScoredBatch back =
        CoderUtils.decodeFromByteArray(
            ScoredBatch.CODER, CoderUtils.encodeToByteArray(ScoredBatch.CODER, batch));
    assertThat(back.ids()).containsExactly(batch.ids());
    assertThat(back.scores()).containsExactly(batch.scores());
    assertThat(Double.doubleToRawLongBits(back.scores()[1]))
        .isEqualTo(Double.doubleToRawLongBits(-0.0));
  }

  @Test
  void aBatchNeedsAScorePerId() {
    assertThatThrownBy(() -> new ScoredBatch(new String[] {"a"}, new double[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("1 ids but 0 scores");
  }
}
