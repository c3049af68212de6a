package io.mlproof.pipelines.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mlproof.proto.v1.CalibrationBin;
import io.mlproof.proto.v1.LiftPoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every expected value below is worked out by hand in the comment next to it. */
class MetricsTest {
  private static final double EPS = 1e-12;
  // Rows: 0.9 positive, 0.8 negative, 0.8 positive, 0.3 negative (one tie across classes).
  private static final double[] SCORES = {0.9, 0.8, 0.8, 0.3};
  private static final boolean[] LABELS = {true, false, true, false};

  @Test
  void rocAucCountsTiedPairAsHalf() {
    // Pairs (pos, neg): (0.9, 0.8) win, (0.9, 0.3) win, (0.8, 0.8) tie = 1/2, (0.8, 0.3) win: 3.5 /
    // 4.
    assertThat(new Metrics.Ranked(SCORES, LABELS).rocAuc()).isCloseTo(0.875, within(EPS));
  }

  @Test
  void averagePrecisionTakesPrecisionAfterWholeTieGroup() {
    // Group 0.9: tp=1 fp=0, recall +1/2 at precision 1; group 0.8: tp=2 fp=1, recall +1/2 at 2/3.
    assertThat(new Metrics.Ranked(SCORES, LABELS).averagePrecision())
        .isCloseTo(0.5 + 0.5 * 2.0 / 3.0, within(EPS));
  }

  @Test
  void bestF1ThresholdScansDistinctScores() {
    // t=0.9: F1 = 2/(2+0+1) = .667; t=0.8: tp2 fp1 fn0 -> 4/5 = .8; t=0.3: 4/6 = .667.
    assertThat(Metrics.bestF1Threshold(SCORES, LABELS)).isEqualTo(0.8);
  }

  @Test
  void liftIsExpectedOverRandomTieBreaking() {
    Metrics.Ranked ranked = new Metrics.Ranked(SCORES, LABELS);
    // Top 25% = 1 row: the 0.9 positive; gain 1/2, lift 2.
    LiftPoint quarter = ranked.lift(0.25);
    assertThat(quarter.getGain()).isCloseTo(0.5, within(EPS));
    assertThat(quarter.getLift()).isCloseTo(2.0, within(EPS));
    // Top 50% = 2 rows: the 0.9 positive plus half of the tied 0.8 pair (1 positive of 2): 1.5 / 2.
    LiftPoint half = ranked.lift(0.5);
    assertThat(half.getGain()).isCloseTo(0.75, within(EPS));
    assertThat(half.getLift()).isCloseTo(1.5, within(EPS));
  }

  @Test
  void topKBreaksTiesByRowIndex() {
    // Order: row 0 (0.9), row 1 (0.8, lower index of the tie), row 2, row 3.
    Metrics.Ranked ranked = new Metrics.Ranked(SCORES, LABELS);
    assertThat(ranked.topK(2)).containsExactly(true, true, false, false);
    assertThat(ranked.scoreAtRank(2)).isEqualTo(0.8);
    assertThat(Confusion.of(ranked.topK(2), LABELS)).isEqualTo(new Confusion(1, 1, 1, 1));
  }

  @Test
  void logLossAndBrierMatchHandComputation() {
    // -(ln .9 + ln .2 + ln .8 + ln .7) / 4
    double expected = -(Math.log(0.9) + Math.log(0.2) + Math.log(0.8) + Math.log(0.7)) / 4;
    assertThat(Metrics.logLoss(SCORES, LABELS)).isCloseTo(expected, within(EPS));
    assertThat(expected).isCloseTo(0.5736542, within(1e-7));
    // (.1^2 + .8^2 + .2^2 + .3^2) / 4 = .78 / 4
    assertThat(Metrics.brier(SCORES, LABELS)).isCloseTo(0.195, within(EPS));
  }

  @Test
  void logLossClipsCertainMistakes() {
    assertThat(Metrics.logLoss(new double[] {0.0}, new boolean[] {true}))
        .isCloseTo(-Math.log(Metrics.EPS), within(1e-9));
  }

  @Test
  void confusionRatios() {
    Confusion c = new Confusion(3, 1, 4, 2);
    assertThat(c.precision()).isCloseTo(0.75, within(EPS));
    assertThat(c.recall()).isCloseTo(0.6, within(EPS));
    assertThat(c.f1()).isCloseTo(6.0 / 9.0, within(EPS)); // 2tp / (2tp + fp + fn)
    assertThat(c.accuracy()).isCloseTo(0.7, within(EPS));
    // Targeting no one: zero_division = 0.
    Confusion none = new Confusion(0, 0, 5, 5);
    assertThat(none.precision()).isZero();
    assertThat(none.f1()).isZero();
    assertThat(none.accuracy()).isCloseTo(0.5, within(EPS));
  }

  @Test
  void allTiedScoresAreUninformative() {
    double[] same = {0.3, 0.3, 0.3, 0.3, 0.3};
    boolean[] labels = {true, false, false, true, false};
    Metrics.Ranked ranked = new Metrics.Ranked(same, labels);
    assertThat(ranked.rocAuc()).isCloseTo(0.5, within(EPS));
    assertThat(ranked.averagePrecision()).isCloseTo(0.4, within(EPS)); // the base rate
    assertThat(ranked.lift(0.2).getLift()).isCloseTo(1.0, within(EPS));
  }

  @Test
  void allOneClass() {
    boolean[] allPositive = {true, true, true};
    double[] scores = {0.2, 0.5, 0.9};
    Metrics.Ranked positives = new Metrics.Ranked(scores, allPositive);
    assertThat(positives.rocAuc()).isNaN();
    assertThat(positives.averagePrecision()).isCloseTo(1.0, within(EPS));
    assertThat(Metrics.bestF1Threshold(scores, allPositive))
        .isEqualTo(0.2); // target everyone: F1 = 1

    Metrics.Ranked negatives = new Metrics.Ranked(scores, new boolean[3]);
    assertThat(negatives.rocAuc()).isNaN();
    assertThat(negatives.averagePrecision()).isNaN();
    assertThat(negatives.lift(0.5).getGain()).isNaN();
    // (.2^2 + .5^2 + .9^2) / 3
    assertThat(Metrics.brier(scores, new boolean[3])).isCloseTo(1.10 / 3, within(EPS));
  }

  @Test
  void emptyInputIsRejected() {
    assertThatThrownBy(() -> new Metrics.Ranked(new double[0], new boolean[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no rows to evaluate");
    assertThatThrownBy(() -> Metrics.logLoss(new double[0], new boolean[0]))
        .hasMessageContaining("no rows to evaluate");
    assertThatThrownBy(() -> Metrics.brier(new double[0], new boolean[0]))
        .hasMessageContaining("no rows to evaluate");
    assertThatThrownBy(() -> Metrics.calibration(new double[0], new boolean[0]))
        .hasMessageContaining("no rows to evaluate");
    assertThatThrownBy(() -> Confusion.of(new boolean[0], new boolean[0]))
        .hasMessageContaining("no rows to evaluate");
  }

  @Test
  void mismatchedLengthsAndNaNAreRejected() {
    assertThatThrownBy(() -> Metrics.brier(new double[] {0.1}, new boolean[2]))
        .hasMessageContaining("1 scores but 2 labels");
    assertThatThrownBy(() -> new Metrics.Ranked(new double[] {Double.NaN}, new boolean[1]))
        .hasMessageContaining("NaN");
    assertThatThrownBy(() -> Metrics.logLoss(new double[] {1.5}, new boolean[1]))
        .hasMessageContaining("not in [0, 1]");
  }

  @Test
  void calibrationUsesEqualCountDecilesLowestFirst() {
    // 20 rows p = 0, .05, ..., .95; odd rows positive. Decile 1 = rows 0 and 1: mean .025, rate
    // 1/2.
    double[] p = new double[20];
    boolean[] labels = new boolean[20];
    for (int i = 0; i < 20; i++) {
      p[i] = i / 20.0;
      labels[i] = i % 2 == 1;
    }
    List<CalibrationBin> bins = Metrics.calibration(p, labels);
    assertThat(bins).hasSize(10);
    assertThat(bins.get(0).getDecile()).isEqualTo(1);
    assertThat(bins.get(0).getMeanPredicted()).isCloseTo(0.025, within(EPS));
    assertThat(bins.get(0).getObservedRate()).isCloseTo(0.5, within(EPS));
    assertThat(bins.get(9).getMeanPredicted()).isCloseTo(0.925, within(EPS));
    assertThat(bins.stream().mapToLong(CalibrationBin::getCount).sum()).isEqualTo(20);
    // Three rows: deciles 1, 4 and 7 (rank * 10 / 3), the others empty and left out.
    assertThat(Metrics.calibration(new double[] {0.1, 0.2, 0.3}, new boolean[3]))
        .extracting(CalibrationBin::getDecile)
        .containsExactly(1, 4, 7);
  }

  @Test
  void rankingIsStableAndDescending() {
    assertThat(Ranking.descending(new double[] {1, 3, 3, 2, Double.NEGATIVE_INFINITY, 3}))
        .containsExactly(1, 2, 5, 3, 0, 4);
  }
}
