package io.mlproof.pipelines.ab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * CUPED and the mergeable {@link Moments}, pinned against numpy 1.24 on the same 60 rows
 * (src/test/resources/ab/reference.py: theta = cov(x, y) / var(x) pooled, the adjusted means' Welch
 * standard error, normal p-value); tolerance 1e-12.
 */
class CupedTest {
  private static final int[] X = {
    3, 12, 3, 4, 10, 6, 8, 11, 7, 3, 2, 8, 5, 2, 7, 5, 7, 7, 6, 6, 7, 9, 6, 8, 8, 5, 5, 3, 10, 6, 7,
    5, 4, 8, 7, 9, 3, 5, 2, 6, 12, 13, 5, 6, 5, 4, 11, 9, 11, 8, 7, 8, 11, 9, 8, 7, 6, 6, 5, 5
  };
  private static final int[] Y = {
    1, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0,
    0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1
  };

  @Test
  void matchesNumpy() {
    Cuped.Result r = Cuped.compare(arm(0, 30), arm(30, 60), 0.05);
    assertThat(r.theta()).isCloseTo(-0.06331188296894363, within(1e-12));
    assertThat(r.difference().estimate()).isCloseTo(-0.15146088972380994, within(1e-12));
    assertThat(r.difference().low()).isCloseTo(-0.3853053073868743, within(1e-12));
    assertThat(r.difference().high()).isCloseTo(0.08238352793925438, within(1e-12));
    assertThat(r.pValue()).isCloseTo(0.2042743738981202, within(1e-12));
    assertThat(r.varianceReduction()).isCloseTo(0.11607178544306318, within(1e-12));
  }

  @Test
  void mergeOrderDoesNotMatter() {
    Moments forward = arm(0, 60);
    Moments halves = arm(30, 60).merge(arm(0, 30));
    assertThat(halves.n()).isEqualTo(60);
    assertThat(halves.meanY()).isCloseTo(forward.meanY(), within(1e-15));
    assertThat(halves.m2X()).isCloseTo(forward.m2X(), within(1e-12));
    assertThat(halves.cXY()).isCloseTo(forward.cXY(), within(1e-12));
    assertThat(halves.sumY()).isEqualTo(24);
    assertThat(Moments.EMPTY.merge(forward)).isEqualTo(forward);
  }

  @Test
  void aCovariateUnrelatedToTheOutcomeReducesNothing() {
    Moments c = Moments.of(1, 5).merge(Moments.of(0, 5)).merge(Moments.of(1, 5));
    Moments t = Moments.of(0, 5).merge(Moments.of(0, 5)).merge(Moments.of(1, 5));
    Cuped.Result r = Cuped.compare(c, t, 0.05);
    assertThat(r.theta()).isZero();
    assertThat(r.varianceReduction()).isZero();
    assertThat(r.difference().estimate()).isCloseTo(-1.0 / 3, within(1e-15));
  }

  private static Moments arm(int from, int to) {
    Moments m = Moments.EMPTY;
    for (int i = from; i < to; i++) {
      m = m.merge(Moments.of(Y[i], X[i]));
    }
    return m;
  }
}
