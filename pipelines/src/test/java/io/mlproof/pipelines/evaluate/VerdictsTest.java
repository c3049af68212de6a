package io.mlproof.pipelines.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.proto.v1.ClassificationMetrics;
import io.mlproof.proto.v1.EvaluationResult;
import io.mlproof.proto.v1.Lead;
import io.mlproof.proto.v1.OperatingPoint;
import io.mlproof.proto.v1.Uncertainty;
import io.mlproof.proto.v1.Verdict;
import org.junit.jupiter.api.Test;

class VerdictsTest {
  private static final String HEURISTIC = "heuristic:days_since_last_purchase>9|missing";

  /** Model F1 0.809 against the heuristic's {@code baselineF1}, with the given F1 lead interval. */
  private static EvaluationResult evaluation(double baselineF1, double low, double high) {
    return EvaluationResult.newBuilder()
        .setModel(
            ClassificationMetrics.newBuilder()
                .setName("model")
                .setF1(0.809)
                .setOperatingPoint(
                    OperatingPoint.newBuilder().setRule(OperatingPoint.Rule.BEST_F1)))
        .addBaselines(ClassificationMetrics.newBuilder().setName("status_quo").setF1(0))
        .addBaselines(ClassificationMetrics.newBuilder().setName("random").setF1(0.616))
        .addBaselines(ClassificationMetrics.newBuilder().setName(HEURISTIC).setF1(baselineF1))
        .setExamples(6000)
        .setUncertainty(
            Uncertainty.newBuilder()
                .setOperatingPoint(
                    Lead.newBuilder()
                        .setMetric("f1")
                        .setBaseline(HEURISTIC)
                        .setEstimate(0.809 - baselineF1)
                        .setCi95Low(low)
                        .setCi95High(high))
                .setRocAuc(
                    Lead.newBuilder()
                        .setMetric("roc_auc")
                        .setBaseline(HEURISTIC)
                        .setEstimate(0.141)
                        .setCi95Low(0.125)
                        .setCi95High(0.158)))
        .build();
  }

  @Test
  void aClearLeadIsStatedWithItsIntervalAndBlessed() {
    Verdict v = Verdicts.againstBaselines(evaluation(0.772, 0.021, 0.052), BlessCriteria.DEFAULT);
    assertThat(v.getBlessed()).isTrue();
    assertThat(v.getSummary())
        .isEqualTo(
            "The model beats the best baseline, "
                + HEURISTIC
                + ", by 0.037 F1 (95% CI"
                + " 0.021 to 0.052) at the best_f1 operating point on 6000 test rows (model 0.809 vs 0.772). In ROC-AUC it"
                + " leads "
                + HEURISTIC
                + " by 0.141 (95% CI 0.125 to 0.158). Bless requires the lead's lower bound (0.021)"
                + " to reach the margin of 0.020 F1: it does, ML pays here.");
    assertThat(v.getLead()).isEqualTo(0.809 - 0.772);
    assertThat(v.getLeadCi95Low()).isEqualTo(0.021);
    assertThat(v.getBlessRule()).isEqualTo(Verdict.BlessRule.LOWER_BOUND);
    assertThat(v.getReasonsList()).isEmpty();
  }

  @Test
  void aLeadWithinNoiseIsNotBlessedUnderTheLowerBoundRuleButIsUnderThePointEstimate() {
    // Lead 0.030 F1 clears a 0.020 margin as a point estimate; its interval (-0.010 to 0.070) does
    // not.
    EvaluationResult noisy = evaluation(0.779, -0.010, 0.070);
    Verdict strict = Verdicts.againstBaselines(noisy, BlessCriteria.DEFAULT);
    assertThat(strict.getBlessed()).isFalse();
    assertThat(strict.getSummary())
        .startsWith(
            "The model and the best baseline, "
                + HEURISTIC
                + ", cannot be told"
                + " apart on this much data: the model's lead is 0.030 F1 (95% CI -0.010 to 0.070)");
    assertThat(strict.getSummary())
        .endsWith(
            "Bless requires the lead's lower bound (-0.010) to reach the margin of"
                + " 0.020 F1: it does not, keep the baseline.");
    assertThat(strict.getReasonsList())
        .containsExactly(
            "the lower bound of the 95% interval of the F1 lead over "
                + HEURISTIC
                + " is -0.010 (95% CI -0.010 to 0.070), below the required margin of 0.020");
    Verdict lenient =
        Verdicts.againstBaselines(noisy, new BlessCriteria(0.02, BlessRule.POINT_ESTIMATE));
    assertThat(lenient.getBlessed()).isTrue();
    assertThat(lenient.getBlessRule()).isEqualTo(Verdict.BlessRule.POINT_ESTIMATE);
  }

  @Test
  void aBaselineClearlyAheadIsSaid() {
    Verdict v = Verdicts.againstBaselines(evaluation(0.850, -0.060, -0.022), BlessCriteria.DEFAULT);
    assertThat(v.getBlessed()).isFalse();
    assertThat(v.getSummary())
        .startsWith(
            "The best baseline, "
                + HEURISTIC
                + ", beats the model by 0.041 F1 (95% CI"
                + " 0.022 to 0.060)");
  }

  @Test
  void anEvaluationWithoutAnIntervalCannotPassTheLowerBoundRule() {
    EvaluationResult old = evaluation(0.700, 0, 0).toBuilder().clearUncertainty().build();
    Verdict v = Verdicts.againstBaselines(old, BlessCriteria.DEFAULT);
    assertThat(v.getBlessed()).isFalse();
    assertThat(v.getReasonsList())
        .containsExactly(
            "the evaluation records no interval for the lead: retrain, or bless with --blessRule=POINT_ESTIMATE");
    assertThat(
            Verdicts.againstBaselines(old, new BlessCriteria(0.02, BlessRule.POINT_ESTIMATE))
                .getBlessed())
        .isTrue();
  }
}
