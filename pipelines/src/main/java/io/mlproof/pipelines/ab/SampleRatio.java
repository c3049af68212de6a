package io.mlproof.pipelines.ab;

import java.util.List;
import org.apache.commons.math3.special.Gamma;

/**
 * The sample-ratio-mismatch check: Pearson's chi-square goodness of fit of the arm sizes against
 * the planned allocation (as scipy's {@code chisquare(observed, expected)}). A split that far from
 * the plan means the assignment or the logging is broken, and no difference between the arms can be
 * trusted: the analysis gives no verdict while it is flagged.
 */
public final class SampleRatio {
  /** The threshold GrowthBook, Eppo and Statsig use: rare enough to be a bug, not chance. */
  public static final double THRESHOLD = 0.001;

  private SampleRatio() {}

  /** Chi-square statistic, degrees of freedom, p-value and whether p < {@link #THRESHOLD}. */
  public record Check(double chiSquare, int degreesOfFreedom, double pValue, boolean flagged) {}

  /**
   * {@code observed[i]} entities in arm i, planned share {@code shares[i]} (normalised to sum 1).
   */
  public static Check check(List<Long> observed, List<Double> shares) {
    if (observed.size() != shares.size() || observed.size() < 2) {
      throw new IllegalArgumentException("need one planned share per arm and at least two arms");
    }
    double total = observed.stream().mapToLong(Long::longValue).sum();
    double shareSum = shares.stream().mapToDouble(Double::doubleValue).sum();
    double chi = 0;
    for (int i = 0; i < observed.size(); i++) {
      double expected = total * shares.get(i) / shareSum;
      double diff = observed.get(i) - expected;
      chi += diff * diff / expected;
    }
    int df = observed.size() - 1;
    // The chi-square upper tail as the regularized upper incomplete gamma, precise for tiny p.
    double p = total == 0 ? 1 : Gamma.regularizedGammaQ(df / 2.0, chi / 2.0);
    return new Check(chi, df, p, p < THRESHOLD);
  }
}
