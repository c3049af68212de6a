package io.mlproof.pipelines.ab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.proto.v1.AbAnalysis;
import io.mlproof.proto.v1.Comparison;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AbAnalyzerTest {
  private static final List<AbAnalyzer.Arm> FIFTY_FIFTY =
      List.of(new AbAnalyzer.Arm("control", 0.5), new AbAnalyzer.Arm("treatment", 0.5));

  static Moments counts(long n, long x) {
    return Moments.ofCounts(n, x);
  }

  @Test
  void significantDecreaseSaysRollOut() {
    // Same counts as the fourth statsmodels case in ProportionsTest, arms sized 2500 and 2600.
    AbAnalysis a =
        AbAnalyzer.analyze(
            new AbAnalyzer.Settings("exp", FIFTY_FIFTY, 0.05, 0.8, ""),
            Map.of("control", counts(2500, 400), "treatment", counts(2600, 350)),
            Map.of());
    Comparison c = a.getComparisons(0);
    assertThat(c.getPValue()).isCloseTo(0.010503281161246096, within(1e-12));
    assertThat(c.getPValueHolm()).isEqualTo(c.getPValue());
    assertThat(c.getDifferenceCi95Low()).isCloseTo(-0.044843160770666635, within(1e-12));
    assertThat(a.getSrm().getFlagged()).isFalse();
    // -100 * difference = 2.538..., CI 0.59 to 4.48 (negated Wald bounds), p = 0.0105.
    assertThat(a.getVerdict())
        .isEqualTo(
            "treatment lowered churn by 2.54 points (95% CI 0.59 to 4.48), p = 0.0105; roll out");
    assertThat(a.getCupedCount()).isZero();
    // No flagged subset: the save rate is over the whole arms, 1 - (350/2600)/(400/2500) =
    // 0.15865...
    assertThat(a.getSaveRate().getEstimate()).isCloseTo(0.15865384615384626, within(1e-12));
    assertThat(a.getSaveRate().getCi95Low()).isCloseTo(0.04714714531673636, within(1e-12));
    assertThat(a.getSaveRate().getCi95High()).isCloseTo(0.27016054699095615, within(1e-12));
    assertThat(a.getSaveRate().getDefinition())
        .isEqualTo(AbAnalyzer.SAVE_RATE_DEFINITION_WHOLE_ARMS);
  }

  @Test
  void insignificantResultStatesTheMde() {
    AbAnalysis a =
        AbAnalyzer.analyze(
            new AbAnalyzer.Settings("exp", FIFTY_FIFTY, 0.05, 0.8, ""),
            Map.of("control", counts(5000, 600), "treatment", counts(5000, 540)),
            Map.of());
    Comparison c = a.getComparisons(0);
    assertThat(c.getSignificant()).isFalse();
    assertThat(c.getMde()).isCloseTo(SampleSize.mde(0.12, 5000, 5000, 0.05, 0.8), within(0.0));
    assertThat(a.getVerdict())
        .isEqualTo(
            "no significant difference between treatment and control (p = 0.0590);"
                + " this test could only detect effects of 1.76 points or more (80% power)");
  }

  @Test
  void sampleRatioMismatchBlocksTheVerdict() {
    AbAnalysis a =
        AbAnalyzer.analyze(
            new AbAnalyzer.Settings("exp", FIFTY_FIFTY, 0.05, 0.8, ""),
            Map.of("control", counts(5400, 800), "treatment", counts(4600, 500)),
            Map.of());
    assertThat(a.getSrm().getFlagged()).isTrue();
    assertThat(a.getSrm().getChiSquare()).isCloseTo(64.0, within(1e-9));
    assertThat(a.getVerdict())
        .startsWith("no verdict: sample ratio mismatch (chi-square 64.00, p = ");
    assertThat(a.getComparisons(0).getVerdict()).isEqualTo("no verdict: sample ratio mismatch");
  }

  @Test
  void severalArmsAreHolmAdjusted() {
    List<AbAnalyzer.Arm> arms =
        List.of(
            new AbAnalyzer.Arm("control", 1),
            new AbAnalyzer.Arm("email", 1),
            new AbAnalyzer.Arm("discount", 1));
    AbAnalysis a =
        AbAnalyzer.analyze(
            new AbAnalyzer.Settings("exp", arms, 0.05, 0.8, ""),
            Map.of(
                "control",
                counts(3000, 450),
                "email",
                counts(3000, 420),
                "discount",
                counts(3000, 360)),
            Map.of());
    double pEmail = Proportions.zTest(3000, 450, 3000, 420).pValue();
    double pDiscount = Proportions.zTest(3000, 450, 3000, 360).pValue();
    assertThat(pDiscount).isLessThan(pEmail);
    assertThat(a.getComparisons(1).getPValueHolm()).isCloseTo(2 * pDiscount, within(1e-15));
    assertThat(a.getComparisons(0).getPValueHolm())
        .isCloseTo(Math.max(pEmail, 2 * pDiscount), within(1e-15));
    assertThat(a.getVerdict())
        .contains("(Holm-adjusted)")
        .contains("discount lowered churn by 3.00 points");
  }

  @Test
  void flaggedEntitiesGiveTheSaveRate() {
    AbAnalysis a =
        AbAnalyzer.analyze(
            new AbAnalyzer.Settings("exp", FIFTY_FIFTY, 0.05, 0.8, "sessions"),
            Map.of("control", counts(5000, 600), "treatment", counts(5000, 540)),
            Map.of("control", counts(1000, 400), "treatment", counts(1000, 300)));
    // 1 - 0.3 / 0.4 = 0.25; delta-method se of the ratio: sqrt(0.3*0.7/1000/0.16 +
    // 0.5625*0.6/(1000*0.4)).
    double se = Math.sqrt(0.3 * 0.7 / 1000 / 0.16 + 0.5625 * 0.6 / 400);
    assertThat(a.getSaveRate().getEstimate()).isCloseTo(0.25, within(1e-12));
    assertThat(a.getSaveRate().getCi95Low())
        .isCloseTo(0.25 - 1.959963984540054 * se, within(1e-12));
    assertThat(a.getSaveRate().getDefinition()).isEqualTo(AbAnalyzer.SAVE_RATE_DEFINITION);
    assertThat(a.getFlaggedArms(1).getChurnRate()).isEqualTo(0.3);
    assertThat(a.getFlaggedComparisons(0).getSignificant()).isTrue();
    assertThat(a.getCuped(0).getVarianceReduction()).isZero();
  }

  @Test
  void anEmptyArmIsInvalidInput() {
    assertThatThrownBy(
            () ->
                AbAnalyzer.analyze(
                    new AbAnalyzer.Settings("exp", FIFTY_FIFTY, 0.05, 0.8, ""),
                    Map.of("control", counts(10, 1)),
                    Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "arm treatment has no entities with an outcome: check the assignment and the outcome data");
  }
}
