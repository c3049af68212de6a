package io.mlproof.pipelines.ab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded simulated experiments: the tests' error rates are what they claim. With 2,000 experiments
 * the standard error of a 5% rate is 0.49 points, so the 1.5-point band is about three
 * standard errors wide; a fixed seed keeps the test deterministic.
 */
class AbSimulationTest {
  private static final int EXPERIMENTS = 2000;
  private static final int PER_ARM = 2000;

  @Test
  void falsePositiveRateIsAlphaWithoutEffect() {
    SplittableRandom random = new SplittableRandom(14);
    int rejected = 0;
    for (int e = 0; e < EXPERIMENTS; e++) {
      long xc = churners(random, PER_ARM, 0.10);
      long xt = churners(random, PER_ARM, 0.10);
      if (Proportions.zTest(PER_ARM, xc, PER_ARM, xt).pValue() < 0.05) {
        rejected++;
      }
    }
    assertThat((double) rejected / EXPERIMENTS).isBetween(0.035, 0.065);
  }

  @Test
  void intervalsCoverAPlantedEffect() {
    SplittableRandom random = new SplittableRandom(1414);
    int waldCovers = 0;
    int liftCovers = 0;
    for (int e = 0; e < EXPERIMENTS; e++) {
      long xc = churners(random, PER_ARM, 0.10);
      long xt = churners(random, PER_ARM, 0.08);
      Proportions.Interval wald = Proportions.waldDifference(PER_ARM, xc, PER_ARM, xt, 0.05);
      Proportions.Interval lift = Proportions.relativeLift(PER_ARM, xc, PER_ARM, xt, 0.05);
      waldCovers += wald.low() <= -0.02 && -0.02 <= wald.high() ? 1 : 0;
      liftCovers += lift.low() <= -0.2 && -0.2 <= lift.high() ? 1 : 0;
    }
    assertThat((double) waldCovers / EXPERIMENTS).isBetween(0.935, 0.965);
    assertThat((double) liftCovers / EXPERIMENTS).isBetween(0.935, 0.965);
  }

  @Test
  void cupedKeepsItsLevelAndShrinksTheInterval() {
    SplittableRandom random = new SplittableRandom(141414);
    int rejected = 0;
    double reduction = 0;
    for (int e = 0; e < EXPERIMENTS; e++) {
      Moments c = activeArm(random, 500);
      Moments t = activeArm(random, 500);
      Cuped.Result r = Cuped.compare(c, t, 0.05);
      rejected += r.pValue() < 0.05 ? 1 : 0;
      reduction += r.varianceReduction();
    }
    assertThat((double) rejected / EXPERIMENTS).isBetween(0.035, 0.065);
    // rho^2 = (0.025^2 var(x)) / var(y) with var(x) = 14 (uniform 0..12) and var(y) = 0.25 * 0.75:
    // 0.00875 / 0.1875 = 0.0467.
    assertThat(reduction / EXPERIMENTS)
        .isCloseTo(0.0467, org.assertj.core.api.Assertions.within(0.003));
  }

  @Test
  void srmFiresOnASkewedSplitAndStaysQuietOnAFairOne() {
    SplittableRandom random = new SplittableRandom(99);
    int firedSkewed = 0;
    int firedFair = 0;
    for (int e = 0; e < EXPERIMENTS; e++) {
      long skewed = churners(random, 10_000, 0.53);
      long fair = churners(random, 10_000, 0.50);
      firedSkewed +=
          SampleRatio.check(List.of(skewed, 10_000 - skewed), List.of(0.5, 0.5)).flagged() ? 1 : 0;
      firedFair +=
          SampleRatio.check(List.of(fair, 10_000 - fair), List.of(0.5, 0.5)).flagged() ? 1 : 0;
    }
    // Skewed: expected chi-square 36 against a threshold of 10.83, so it fires nearly always.
    assertThat((double) firedSkewed / EXPERIMENTS).isGreaterThan(0.99);
    // Fair: fires with probability 0.001, about 2 in 2,000.
    assertThat((double) firedFair / EXPERIMENTS).isLessThan(0.005);
  }

  /** Churners among n entities with churn probability p. */
  private static long churners(SplittableRandom random, int n, double p) {
    long x = 0;
    for (int i = 0; i < n; i++) {
      x += random.nextDouble() < p ? 1 : 0;
    }
    return x;
  }

  /** Entities whose churn probability falls with pre-period activity x ~ uniform 0..12. */
  private static Moments activeArm(SplittableRandom random, int n) {
    Moments m = Moments.EMPTY;
    for (int i = 0; i < n; i++) {
      int x = random.nextInt(13);
      double p = 0.4 - 0.025 * x;
      m = m.merge(Moments.of(random.nextDouble() < p ? 1 : 0, x));
    }
    return m;
  }
}
