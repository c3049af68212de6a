package io.mlproof.pipelines.ab;

import io.mlproof.pipelines.core.InvalidInputException;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Two independent proportions, treatment against control: the pooled two-proportion z-test (as
 * statsmodels' {@code proportions_ztest}), the Wald interval of the difference (as statsmodels'
 * {@code confint_proportions_2indep(method="wald")}) and the relative lift with a delta-method
 * interval (as GrowthBook's and Eppo's frequentist engines). Differences are treatment minus
 * control. Normal quantiles come from Commons Math.
 */
public final class Proportions {
  private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);

  private Proportions() {}

  /** Result of the pooled z-test: z for (treatment - control), two-sided p-value. */
  public record ZTest(double z, double pValue) {}

  /** A point estimate with its two-sided confidence interval. */
  public record Interval(double estimate, double low, double high) {
    public Interval negate() {
      return new Interval(-estimate, -high, -low);
    }
  }

  /** The standard normal quantile of {@code p}. */
  public static double normalQuantile(double p) {
    return STANDARD_NORMAL.inverseCumulativeProbability(p);
  }

  /** The standard normal CDF at {@code z}. */
  public static double normalCdf(double z) {
    return STANDARD_NORMAL.cumulativeProbability(z);
  }

  /** Two-sided p-value of a standard normal statistic, computed on the upper tail for precision. */
  public static double twoSidedP(double z) {
    return 2 * normalCdf(-Math.abs(z));
  }

  /**
   * Pooled two-proportion z-test: under the null both arms share one rate, so the standard error
   * uses the pooled rate. Zero variance (no churners or all churners in both arms) gives z = 0, p =
   * 1: the data cannot tell the arms apart.
   */
  public static ZTest zTest(long controlN, long controlX, long treatmentN, long treatmentX) {
    check(controlN, controlX, "control");
    check(treatmentN, treatmentX, "treatment");
    double pooled = (double) (controlX + treatmentX) / (controlN + treatmentN);
    double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / controlN + 1.0 / treatmentN));
    if (se == 0) {
      return new ZTest(0, 1);
    }
    double z = ((double) treatmentX / treatmentN - (double) controlX / controlN) / se;
    return new ZTest(z, twoSidedP(z));
  }

  /** Wald interval of (treatment rate - control rate) at confidence {@code 1 - alpha}. */
  public static Interval waldDifference(
      long controlN, long controlX, long treatmentN, long treatmentX, double alpha) {
    check(controlN, controlX, "control");
    check(treatmentN, treatmentX, "treatment");
    double pc = (double) controlX / controlN;
    double pt = (double) treatmentX / treatmentN;
    double se = Math.sqrt(pc * (1 - pc) / controlN + pt * (1 - pt) / treatmentN);
    return around(pt - pc, se, alpha);
  }

  /**
   * Relative lift (treatment rate / control rate - 1) with the delta-method interval: Var(pt/pc) ~
   * (pt/pc)^2 (Var(pt)/pt^2 + Var(pc)/pc^2), Var(p) = p(1-p)/n. Undefined (NaN) when the control
   * rate is 0. A treatment rate of 0 gives the interval from the control term alone.
   */
  public static Interval relativeLift(
      long controlN, long controlX, long treatmentN, long treatmentX, double alpha) {
    check(controlN, controlX, "control");
    check(treatmentN, treatmentX, "treatment");
    double pc = (double) controlX / controlN;
    double pt = (double) treatmentX / treatmentN;
    if (controlX == 0) {
      return new Interval(Double.NaN, Double.NaN, Double.NaN);
    }
    double ratio = pt / pc;
    double se =
        Math.sqrt(
            pt * (1 - pt) / treatmentN / (pc * pc) + ratio * ratio * (1 - pc) / (controlN * pc));
    return around(ratio - 1, se, alpha);
  }

  /** {@code estimate +- z(1 - alpha/2) * se}. */
  public static Interval around(double estimate, double se, double alpha) {
    double half = normalQuantile(1 - alpha / 2) * se;
    return new Interval(estimate, estimate - half, estimate + half);
  }

  private static void check(long n, long x, String arm) {
    if (n <= 0 || x < 0 || x > n) {
      throw new InvalidInputException(
          arm
              + " arm: need entities > 0 and 0 <= churners <= entities, got "
              + n
              + " entities and "
              + x
              + " churners");
    }
  }
}
