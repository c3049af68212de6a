package io.mlproof.pipelines.ab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mlproof.pipelines.core.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pinned against statsmodels 0.13.5 ({@code proportions_ztest}, {@code confint_proportions_2indep(
 * method="wald")}) and the delta-method lift computed with numpy/scipy; the script is
 * src/test/resources/ab/reference.py. Tolerance 1e-12 (the values agree to the last digits).
 */
class ProportionsTest {
  private static final double TOL = 1e-12;

  @ParameterizedTest
  @CsvSource({
    "5000, 600, 5000, 540, -1.887912942538089, 0.05903763873437832, -0.024455752313013366, 0.0004557523130133724,"
        + " -0.09999999999999998, -0.1985064717725356, -0.001493528227464333",
    "9000, 1215, 1000, 118, -1.5004471505562214, 0.13349861364733134, -0.038204871997280926, 0.004204871997280899,"
        + " -0.125925925925926, -0.28093093736803976, 0.029079085516187764",
    "1000, 100, 1000, 100, 0.0, 1.0, -0.026295676217297455, 0.026295676217297455,"
        + " 0.0, -0.2629567621729745, 0.2629567621729745",
    "2500, 400, 2600, 350, -2.558804429045096, 0.010503281161246096, -0.044843160770666635, -0.005926069998564151,"
        + " -0.15865384615384626, -0.27016054699095615, -0.04714714531673636",
  })
  void matchesStatsmodels(
      long nC,
      long xC,
      long nT,
      long xT,
      double z,
      double p,
      double waldLow,
      double waldHigh,
      double lift,
      double liftLow,
      double liftHigh) {
    Proportions.ZTest test = Proportions.zTest(nC, xC, nT, xT);
    assertThat(test.z()).isCloseTo(z, within(TOL));
    assertThat(test.pValue()).isCloseTo(p, within(TOL));
    Proportions.Interval wald = Proportions.waldDifference(nC, xC, nT, xT, 0.05);
    assertThat(wald.estimate()).isCloseTo((double) xT / nT - (double) xC / nC, within(TOL));
    assertThat(wald.low()).isCloseTo(waldLow, within(TOL));
    assertThat(wald.high()).isCloseTo(waldHigh, within(TOL));
    Proportions.Interval r = Proportions.relativeLift(nC, xC, nT, xT, 0.05);
    assertThat(r.estimate()).isCloseTo(lift, within(TOL));
    assertThat(r.low()).isCloseTo(liftLow, within(TOL));
    assertThat(r.high()).isCloseTo(liftHigh, within(TOL));
  }

  @Test
  void workedExampleByHand() {
    // 100/1000 vs 80/1000: pooled 0.09, se = sqrt(0.09 * 0.91 * 0.002) = 0.01279844, z =
    // -1.5626908.
    double se = Math.sqrt(0.09 * 0.91 * 0.002);
    assertThat(Proportions.zTest(1000, 100, 1000, 80).z()).isCloseTo(-0.02 / se, within(1e-12));
    assertThat(-0.02 / se).isCloseTo(-1.5626908, within(1e-7));
  }

  @Test
  void noVarianceMeansNoEvidence() {
    assertThat(Proportions.zTest(100, 0, 200, 0)).isEqualTo(new Proportions.ZTest(0, 1));
    assertThat(Proportions.relativeLift(100, 0, 200, 3, 0.05).estimate()).isNaN();
  }

  @Test
  void impossibleCountsAreRejected() {
    assertThatThrownBy(() -> Proportions.zTest(10, 11, 10, 1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "control arm: need entities > 0 and 0 <= churners <= entities, got 10 entities and 11 churners");
    assertThatThrownBy(() -> Proportions.waldDifference(10, 1, 0, 0, 0.05))
        .isInstanceOf(InvalidInputException.class);
  }
}
