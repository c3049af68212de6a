package io.mlproof.pipelines.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
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
  void aNaNScoreIsRefused() {
    assertThatThrownBy(
            () -> RankScores.rank(new String[] {"a", "b"}, new double[] {1, Double.NaN}, "/f"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("score of row 1 is NaN: scores must be numbers");
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
