package io.mlproof.pipelines.features;

import io.mlproof.proto.v1.FeatureStatistics;
import java.util.TreeSet;

/**
 * Drift between two runs of one feature: the L-infinity (Kolmogorov-Smirnov) distance between their
 * distribution functions, each rebuilt from its saved deciles.
 *
 * <p>Rebuilding: between consecutive distinct deciles the CDF rises linearly by 10% per decile
 * step; equal deciles are a point mass (a feature that is 0 for 70% of entities has {@code q0 = ...
 * = q70 = 0}). Missing values count as one more value above every number, so a change in the
 * missing share is drift too. The distance is in [0, 1]: the largest difference, over all values x,
 * in the share of entities at or below x. This is TFDV's approach (distances over rebinned saved
 * histograms) with deciles as the histogram.
 */
public final class CdfDistance {
  private static final int STEPS = StatisticsFn.QUANTILES - 1;

  private CdfDistance() {}

  /** Distance between two statistics of the same feature. */
  public static double between(FeatureStatistics a, FeatureStatistics b) {
    TreeSet<Double> points = new TreeSet<>();
    a.getQuantilesList().forEach(points::add);
    b.getQuantilesList().forEach(points::add);
    double worst =
        Math.abs(presentShare(a) - presentShare(b)); // at +infinity, before the missing mass
    for (double x : points) {
      worst = Math.max(worst, Math.abs(cdf(a, x, false) - cdf(b, x, false)));
      worst = Math.max(worst, Math.abs(cdf(a, x, true) - cdf(b, x, true)));
    }
    return worst;
  }

  /**
   * Share of all examples with a value at or below x (or strictly below, when {@code leftLimit}).
   */
  static double cdf(FeatureStatistics s, double x, boolean leftLimit) {
    return presentShare(s) * presentCdf(s, x, leftLimit);
  }

  private static double presentShare(FeatureStatistics s) {
    long total = s.getCount() + s.getMissing();
    return total == 0 ? 0 : (double) s.getCount() / total;
  }

  /** CDF of the present values rebuilt from the deciles q[0..10]. */
  private static double presentCdf(FeatureStatistics s, double x, boolean leftLimit) {
    if (s.getQuantilesCount() != StatisticsFn.QUANTILES) {
      return 0; // no present values
    }
    double[] q = s.getQuantilesList().stream().mapToDouble(Double::doubleValue).toArray();
    if (leftLimit ? x <= q[0] : x < q[0]) {
      return 0;
    }
    if (leftLimit ? x > q[STEPS] : x >= q[STEPS]) {
      return 1;
    }
    if (leftLimit) {
      int first = 0;
      while (q[first] < x) {
        first++;
      }
      if (q[first] == x) {
        return (double) first / STEPS;
      }
      return interpolate(q, first - 1, x);
    }
    int last = STEPS;
    while (q[last] > x) {
      last--;
    }
    return q[last] == x ? (double) last / STEPS : interpolate(q, last, x);
  }

  /** Inside the open segment (q[k], q[k+1]). */
  private static double interpolate(double[] q, int k, double x) {
    return (k + (x - q[k]) / (q[k + 1] - q[k])) / STEPS;
  }
}
