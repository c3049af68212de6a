package io.mlproof.pipelines.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mlproof.proto.v1.LiftPoint;
import org.junit.jupiter.api.Test;

/**
 * Every metric the evaluation reports, pinned to scikit-learn's figures on one fixed score set. The
 * figures were computed once, not at test time, by {@code
 * src/test/resources/evaluate/sklearn_metrics_reference.py} with Debian's python3-sklearn 1.2.1
 * ({@code roc_auc_score}, {@code average_precision_score}, {@code log_loss}, {@code
 * brier_score_loss}, {@code precision_recall_curve}, {@code confusion_matrix}, {@code
 * precision_score}, {@code recall_score}, {@code f1_score}, {@code accuracy_score}; lift =
 * precision of the top k / base rate, gain = their recall, at cuts that split no tie group) and
 * copied here with 17 significant digits. Tolerance 1e-12 absolute: the same sums in another order.
 * The scores tie across classes (0.90, 0.80, 0.70, 0.60, 0.50, 0.40, 0.30, 0.20, 0.05), so tie
 * handling is checked too.
 */
class MetricsAgainstScikitLearnTest {
  private static final double TOLERANCE = 1e-12;
  private static final double[] SCORES = {
    0.95, 0.90, 0.90, 0.85, 0.80, 0.80, 0.75, 0.70, 0.70, 0.65,
    0.60, 0.60, 0.55, 0.50, 0.50, 0.45, 0.40, 0.40, 0.35, 0.30,
    0.30, 0.25, 0.20, 0.20, 0.15, 0.10, 0.10, 0.05, 0.05, 0.02
  };
  private static final int[] LABELS = {
    1, 1, 0, 1, 1, 0, 1, 0, 1, 1,
    0, 0, 1, 1, 0, 0, 1, 0, 0, 1,
    0, 0, 0, 1, 0, 0, 0, 0, 1, 0
  };

  private static boolean[] labels() {
    boolean[] labels = new boolean[LABELS.length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = LABELS[i] == 1;
    }
    return labels;
  }

  private static boolean[] atThreshold(double threshold) {
    boolean[] targeted = new boolean[SCORES.length];
    for (int i = 0; i < SCORES.length; i++) {
      targeted[i] = SCORES[i] >= threshold;
    }
    return targeted;
  }

  @Test
  void rankingMetricsEqualScikitLearns() {
    Metrics.Ranked ranked = new Metrics.Ranked(SCORES, labels());
    assertThat(ranked.positives()).isEqualTo(13);
    assertThat(ranked.rocAuc()).isCloseTo(0.70588235294117652, within(TOLERANCE));
    assertThat(ranked.averagePrecision()).isCloseTo(0.64671625162341351, within(TOLERANCE));
  }

  @Test
  void probabilityMetricsEqualScikitLearns() {
    assertThat(Metrics.logLoss(SCORES, labels())).isCloseTo(0.67090935505812332, within(TOLERANCE));
    assertThat(Metrics.brier(SCORES, labels())).isCloseTo(0.2275966666666667, within(TOLERANCE));
  }

  /** The best-F1 cut over precision_recall_curve's thresholds (the higher one on equal F1). */
  @Test
  void bestF1ThresholdAndItsConfusionEqualScikitLearns() {
    double threshold = Metrics.bestF1Threshold(SCORES, labels());
    assertThat(threshold).isEqualTo(0.20);
    assertAtThreshold(
        threshold,
        new Confusion(12, 12, 5, 1),
        0.5,
        0.92307692307692313,
        0.64864864864864868,
        0.56666666666666665);
  }

  @Test
  void confusionAtHalfEqualsScikitLearns() {
    assertAtThreshold(
        0.5,
        new Confusion(9, 6, 11, 4),
        0.59999999999999998,
        0.69230769230769229,
        0.6428571428571429,
        0.66666666666666663);
  }

  private static void assertAtThreshold(
      double threshold,
      Confusion expected,
      double precision,
      double recall,
      double f1,
      double accuracy) {
    Confusion c = Confusion.of(atThreshold(threshold), labels());
    assertThat(c).isEqualTo(expected);
    assertThat(c.precision()).isCloseTo(precision, within(TOLERANCE));
    assertThat(c.recall()).isCloseTo(recall, within(TOLERANCE));
    assertThat(c.f1()).isCloseTo(f1, within(TOLERANCE));
    assertThat(c.accuracy()).isCloseTo(accuracy, within(TOLERANCE));
  }

  @Test
  void liftAndGainEqualScikitLearnsPrecisionOverBaseRate() {
    Metrics.Ranked ranked = new Metrics.Ranked(SCORES, labels());
    double[][] expected = { // top fraction, lift, gain
      {0.1, 1.5384615384615383, 0.15384615384615385},
      {0.2, 1.5384615384615383, 0.30769230769230771},
      {0.5, 1.3846153846153846, 0.69230769230769229}
    };
    for (double[] row : expected) {
      LiftPoint point = ranked.lift(row[0]);
      assertThat(point.getLift()).as("lift at %s", row[0]).isCloseTo(row[1], within(TOLERANCE));
      assertThat(point.getGain()).as("gain at %s", row[0]).isCloseTo(row[2], within(TOLERANCE));
    }
  }
}
