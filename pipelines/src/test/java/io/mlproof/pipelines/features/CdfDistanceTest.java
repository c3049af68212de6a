package io.mlproof.pipelines.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mlproof.proto.v1.FeatureStatistics;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;

/** Distances worked out by hand from the rebuilt CDFs. */
class CdfDistanceTest {

  static FeatureStatistics deciles(long count, long missing, double... q) {
    FeatureStatistics.Builder b =
        FeatureStatistics.newBuilder().setFeature("f").setCount(count).setMissing(missing);
    DoubleStream.of(q).forEach(b::addQuantiles);
    return b.build();
  }

  static final FeatureStatistics UNIFORM_0_10 = deciles(100, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);

  @Test
  void identicalDistributionsAreAtDistanceZero() {
    assertThat(CdfDistance.between(UNIFORM_0_10, UNIFORM_0_10)).isZero();
  }

  @Test
  void aShiftByOneDecileWidthIsOneTenth() {
    // F(x) = x/10 on [0, 10] against G(x) = (x-1)/10 on [1, 11]: the gap is 0.1 everywhere between.
    FeatureStatistics shifted = deciles(100, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    assertThat(CdfDistance.between(UNIFORM_0_10, shifted)).isCloseTo(0.1, within(1e-12));
  }

  @Test
  void aPointMassIsComparedAtItsJump() {
    // 70% zeros (q0..q7 = 0) against all zeros: at x = 0 the CDFs are 0.7 and 1.
    FeatureStatistics mostlyZero = deciles(100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 5);
    FeatureStatistics allZero = deciles(100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    assertThat(CdfDistance.between(mostlyZero, allZero)).isCloseTo(0.3, within(1e-12));
  }

  @Test
  void aChangeInTheMissingShareIsDrift() {
    // Same present values, half of them now missing: just below +infinity the CDFs are 1 and 0.5.
    FeatureStatistics halfMissing = deciles(100, 100, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    assertThat(CdfDistance.between(UNIFORM_0_10, halfMissing)).isCloseTo(0.5, within(1e-12));
    assertThat(CdfDistance.between(UNIFORM_0_10, deciles(0, 50))).isCloseTo(1.0, within(1e-12));
  }
}
