package io.mlproof.pipelines.ab;

import io.mlproof.pipelines.core.InvalidInputException;
import org.apache.commons.math3.analysis.solvers.BrentSolver;

/**
 * Sizing a two-arm comparison of proportions with the standard normal approximation (Fleiss's
 * formula without the continuity correction; statsmodels' {@code power_proportions_2indep} computes
 * the same power): the test statistic's standard error is the pooled one under the null and the
 * unpooled one under the alternative.
 *
 * <pre>
 *   k = nT / nC,  pbar = (pC + k pT) / (1 + k),  delta = pT - pC
 *   nC = ( z(1-alpha/2) sqrt(pbar (1-pbar) (1 + 1/k)) + z(power) sqrt(pC(1-pC) + pT(1-pT)/k) )^2 / delta^2
 *   power = Phi((|delta| - z(1-alpha/2) s0) / s1) + Phi((-|delta| - z(1-alpha/2) s0) / s1),
 *   s0 = sqrt(pbar (1-pbar) (1/nC + 1/nT)),  s1 = sqrt(pC(1-pC)/nC + pT(1-pT)/nT)
 * </pre>
 *
 * The sample-size formula drops the second (wrong-direction) power term, as the textbook does, so
 * {@link #power} at the returned size is at least the requested power.
 */
public final class SampleSize {

  private SampleSize() {}

  /**
   * Control-arm size (not rounded) that detects {@code treatmentRate} against {@code controlRate}.
   */
  public static double controlSize(
      double controlRate, double treatmentRate, double alpha, double power, double ratio) {
    checkRate(controlRate, "base rate");
    checkRate(treatmentRate, "treatment rate (base rate - MDE)");
    checkProbability(alpha, "alpha");
    checkProbability(power, "power");
    if (!(ratio > 0) || Double.isInfinite(ratio)) {
      throw new InvalidInputException("allocation ratio " + ratio + " must be a positive number");
    }
    double delta = treatmentRate - controlRate;
    if (delta == 0) {
      throw new InvalidInputException("the minimum detectable effect must not be 0");
    }
    double pbar = (controlRate + ratio * treatmentRate) / (1 + ratio);
    double null0 =
        Proportions.normalQuantile(1 - alpha / 2) * Math.sqrt(pbar * (1 - pbar) * (1 + 1 / ratio));
    double alt =
        Proportions.normalQuantile(power)
            * Math.sqrt(
                controlRate * (1 - controlRate) + treatmentRate * (1 - treatmentRate) / ratio);
    return (null0 + alt) * (null0 + alt) / (delta * delta);
  }

  /** Power of the two-sided pooled z-test at level alpha for true rates pC, pT and sizes nC, nT. */
  public static double power(
      double controlRate, double treatmentRate, double controlN, double treatmentN, double alpha) {
    double delta = Math.abs(treatmentRate - controlRate);
    double pbar = (controlN * controlRate + treatmentN * treatmentRate) / (controlN + treatmentN);
    double s0 = Math.sqrt(pbar * (1 - pbar) * (1 / controlN + 1 / treatmentN));
    double s1 =
        Math.sqrt(
            controlRate * (1 - controlRate) / controlN
                + treatmentRate * (1 - treatmentRate) / treatmentN);
    double crit = Proportions.normalQuantile(1 - alpha / 2) * s0;
    if (s1 == 0) {
      return delta > crit ? 1 : 0;
    }
    return Proportions.normalCdf((delta - crit) / s1) + Proportions.normalCdf((-delta - crit) / s1);
  }

  /**
   * The smallest absolute decrease d of the control rate (treatment rate = pC - d) that the test
   * detects with the given power at these sizes; NaN when even d = pC (no treated churner at all)
   * falls short.
   */
  public static double mde(
      double controlRate, double controlN, double treatmentN, double alpha, double power) {
    if (!(controlRate > 0 && controlRate < 1)
        || power(controlRate, 0, controlN, treatmentN, alpha) < power) {
      return Double.NaN;
    }
    double low = 0;
    double high = controlRate;
    // power(d) rises with d on (0, pC]; Brent finds the root to full double precision.
    return new BrentSolver(1e-15, 1e-15)
        .solve(
            200,
            d -> power(controlRate, controlRate - d, controlN, treatmentN, alpha) - power,
            low,
            high);
  }

  static void checkRate(double rate, String what) {
    if (!(rate > 0 && rate < 1)) {
      throw new InvalidInputException(what + " " + rate + " must be strictly between 0 and 1");
    }
  }

  static void checkProbability(double p, String what) {
    if (!(p > 0 && p < 1)) {
      throw new InvalidInputException(what + " " + p + " must be strictly between 0 and 1");
    }
  }
}
