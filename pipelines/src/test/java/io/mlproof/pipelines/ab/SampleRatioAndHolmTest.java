package io.mlproof.pipelines.ab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SRM pinned against scipy 1.10.1 {@code stats.chisquare}, Holm against statsmodels 0.13.5 {@code
 * multipletests(method="holm")} (src/test/resources/ab/reference.py); tolerance 1e-12.
 */
class SampleRatioAndHolmTest {

  @Test
  void srmMatchesScipy() {
    check(List.of(5100L, 4900L), List.of(0.5, 0.5), 4.0, 0.04550026389635857, false);
    check(List.of(50300L, 49700L), List.of(0.5, 0.5), 3.6, 0.05777957112359715, false);
    check(List.of(9120L, 880L), List.of(0.9, 0.1), 16.0, 6.334248366623988e-05, true);
    check(
        List.of(3400L, 3300L, 3100L),
        List.of(1.0, 1.0, 1.0),
        14.285714285714286,
        0.0007904903231199663,
        true);
  }

  private static void check(
      List<Long> observed, List<Double> shares, double chi, double p, boolean flagged) {
    SampleRatio.Check c = SampleRatio.check(observed, shares);
    assertThat(c.chiSquare()).isCloseTo(chi, within(1e-9));
    assertThat(c.pValue()).isCloseTo(p, within(1e-12));
    assertThat(c.degreesOfFreedom()).isEqualTo(observed.size() - 1);
    assertThat(c.flagged()).isEqualTo(flagged);
  }

  @Test
  void holmMatchesStatsmodels() {
    assertThat(Holm.adjust(new double[] {0.01, 0.04, 0.03}))
        .containsExactly(new double[] {0.03, 0.06, 0.06}, within(1e-15));
    assertThat(Holm.adjust(new double[] {0.2, 0.001, 0.04, 0.5}))
        .containsExactly(new double[] {0.4, 0.004, 0.12, 0.5}, within(1e-15));
  }

  @Test
  void holmLeavesOneComparisonAlone() {
    assertThat(Holm.adjust(new double[] {0.037})).containsExactly(0.037);
  }
}
