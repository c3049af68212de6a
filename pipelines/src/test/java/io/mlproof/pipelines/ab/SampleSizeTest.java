package io.mlproof.pipelines.ab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mlproof.pipelines.core.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pinned against statsmodels 0.13.5 ({@code power_proportions_2indep}, {@code
 * samplesize_proportions_2indep_onetail}, and scipy's brentq on that power for the MDE); script:
 * src/test/resources/ab/reference.py. Tolerances: 1e-12 for power, 1e-8 for sizes (a few thousand,
 * so ~1e-12 relative), 1e-12 for the MDE.
 */
class SampleSizeTest {

  @ParameterizedTest
  @CsvSource({
    "0.5, 0.6, 0.05, 0.8, 1.0, 387.338516699036",
    "0.12, 0.10, 0.05, 0.8, 1.0, 3840.847482436278",
    "0.2, 0.17, 0.05, 0.9, 0.1111111111111111, 17756.311961530824",
    "0.3, 0.27, 0.01, 0.8, 2.0, 3943.712770546759",
  })
  void controlSizeMatchesStatsmodels(
      double pC, double pT, double alpha, double power, double k, double nC) {
    assertThat(SampleSize.controlSize(pC, pT, alpha, power, k)).isCloseTo(nC, within(1e-8));
  }

  @Test
  void workedExampleByHand() {
    // 50% vs 60%, equal arms: (1.959964 * sqrt(0.55 * 0.45 * 2) + 0.841621 * sqrt(0.25 + 0.24))^2 /
    // 0.01
    // = (1.378957 + 0.589135)^2 / 0.01 = 387.34 per arm.
    assertThat(SampleSize.controlSize(0.5, 0.6, 0.05, 0.8, 1)).isCloseTo(387.34, within(0.005));
  }

  @ParameterizedTest
  @CsvSource({
    "0.12, 0.10, 5000, 5000, 0.05, 0.8918974759898849",
    "0.2, 0.17, 900, 100, 0.05, 0.09773459639988098",
    "0.3, 0.33, 2000, 3000, 0.01, 0.36458492695598727",
  })
  void powerMatchesStatsmodels(
      double pC, double pT, double nC, double nT, double alpha, double power) {
    assertThat(SampleSize.power(pC, pT, nC, nT, alpha)).isCloseTo(power, within(1e-12));
  }

  @ParameterizedTest
  @CsvSource({
    "0.12, 5000, 5000, 0.05, 0.8, 0.01761268956022666",
    "0.2, 900, 100, 0.05, 0.8, 0.10773891688724734",
  })
  void mdeMatchesStatsmodels(
      double pC, double nC, double nT, double alpha, double power, double mde) {
    assertThat(SampleSize.mde(pC, nC, nT, alpha, power)).isCloseTo(mde, within(1e-12));
  }

  @Test
  void sizeAndMdeAreInverse() {
    double nC = SampleSize.controlSize(0.12, 0.10, 0.05, 0.8, 1);
    // The size formula drops the far tail, so the MDE at that size is at most the planned 0.02.
    assertThat(SampleSize.mde(0.12, nC, nC, 0.05, 0.8))
        .isCloseTo(0.02, within(1e-6))
        .isLessThanOrEqualTo(0.02);
  }

  @Test
  void mdeIsUndefinedWhenEvenZeroChurnIsUndetectable() {
    assertThat(SampleSize.mde(0.01, 20, 20, 0.05, 0.8)).isNaN();
  }

  @Test
  void badPlansAreRejected() {
    assertThatThrownBy(() -> SampleSize.controlSize(1.2, 0.1, 0.05, 0.8, 1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("base rate 1.2 must be strictly between 0 and 1");
    assertThatThrownBy(() -> SampleSize.controlSize(0.1, 0.1, 0.05, 0.8, 1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("must not be 0");
    assertThatThrownBy(() -> SampleSize.controlSize(0.1, 0.08, 0.05, 1.0, 1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("power 1.0 must be strictly between 0 and 1");
  }
}
