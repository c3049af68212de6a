package io.mlproof.pipelines.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThresholdRuleTest {

  private static LabeledMatrix oneColumn(double[] x, boolean[] labels) {
    return new LabeledMatrix(x, x.length, 1, labels);
  }

  @Test
  void findsTheSeparatingThreshold() {
    // x = 1..10, positive exactly when x > 6: "x > 6" has F1 1 and is the first such rule found.
    double[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    boolean[] labels = new boolean[10];
    for (int i = 0; i < 10; i++) {
      labels[i] = x[i] > 6;
    }
    ThresholdRule rule =
        ThresholdRule.tune(oneColumn(x, labels), List.of(new ThresholdRule.Candidate(0, "x")));
    assertThat(rule.name()).isEqualTo("heuristic:x>6");
    assertThat(rule.direction()).isEqualTo(ThresholdRule.Direction.ABOVE);
    assertThat(rule.targetedTrainRate()).isEqualTo(1.0);
    assertThat(rule.otherTrainRate()).isEqualTo(0.0);
    assertThat(rule.targets(6.5)).isTrue();
    assertThat(rule.targets(6)).isFalse();
    assertThat(rule.targets(Double.NaN)).isFalse();
  }

  @Test
  void findsBelowRulesAndMissingSide() {
    // Positive when x < 3 or x is missing: "x < 3 | missing" catches all three positives.
    double[] x = {1, 2, 3, 4, 5, Double.NaN};
    boolean[] labels = {true, true, false, false, false, true};
    ThresholdRule rule =
        ThresholdRule.tune(
            oneColumn(x, labels), List.of(new ThresholdRule.Candidate(0, "recency")));
    assertThat(rule.name()).isEqualTo("heuristic:recency<3|missing");
    assertThat(rule.rankingScore(Double.NaN)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(rule.rankingScore(1)).isEqualTo(-1);
  }

  @Test
  void picksTheBetterOfTwoFeatures() {
    // Column 0 is noise, column 1 separates: the rule must use column 1.
    double[] values = {5, 1, 5, 2, 5, 3, 5, 4};
    boolean[] labels = {false, false, true, true};
    LabeledMatrix m = new LabeledMatrix(values, 4, 2, labels);
    ThresholdRule rule =
        ThresholdRule.tune(
            m,
            List.of(
                new ThresholdRule.Candidate(0, "noise"), new ThresholdRule.Candidate(1, "signal")));
    assertThat(rule.feature()).isEqualTo("signal");
    assertThat(rule.name()).isEqualTo("heuristic:signal>2");
  }
}
