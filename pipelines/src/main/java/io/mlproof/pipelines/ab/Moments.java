package io.mlproof.pipelines.ab;

import java.io.Serializable;

/**
 * Count, means and co-moments of an outcome y and a pre-period covariate x over a set of entities:
 * all CUPED and the proportion tests need, mergeable in any order (Chan, Golub and LeVeque's
 * pairwise update), so a Beam {@code Combine} can build it shard by shard without the cancellation
 * of raw sums of squares.
 *
 * @param n entities
 * @param meanY mean outcome (the churn rate for a 0/1 outcome)
 * @param meanX mean covariate
 * @param m2Y sum of squared deviations of y
 * @param m2X sum of squared deviations of x
 * @param cXY sum of products of the deviations of x and y
 */
public record Moments(long n, double meanY, double meanX, double m2Y, double m2X, double cXY)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final Moments EMPTY = new Moments(0, 0, 0, 0, 0, 0);

  /** One entity. */
  public static Moments of(double y, double x) {
    return new Moments(1, y, x, 0, 0, 0);
  }

  /** n entities of which x had outcome 1 and the rest 0, covariate 0: what per-arm counts give. */
  public static Moments ofCounts(long n, long x) {
    double rate = (double) x / n;
    return new Moments(n, rate, 0, x * (1 - rate), 0, 0);
  }

  /** These entities and {@code other}'s together. */
  public Moments merge(Moments other) {
    if (other.n == 0) {
      return this;
    }
    if (n == 0) {
      return other;
    }
    long total = n + other.n;
    double dy = other.meanY - meanY;
    double dx = other.meanX - meanX;
    double weight = (double) n * other.n / total;
    return new Moments(
        total,
        meanY + dy * other.n / total,
        meanX + dx * other.n / total,
        m2Y + other.m2Y + dy * dy * weight,
        m2X + other.m2X + dx * dx * weight,
        cXY + other.cXY + dx * dy * weight);
  }

  /** Outcomes summed: the churners when y is 0/1 (rounded, as the mean carries float error). */
  public long sumY() {
    return Math.round(meanY * n);
  }

  /** Sample variance of y (n - 1 denominator). */
  public double varianceY() {
    return m2Y / (n - 1);
  }

  /** Sample variance of x. */
  public double varianceX() {
    return m2X / (n - 1);
  }

  /** Sample covariance of x and y. */
  public double covariance() {
    return cXY / (n - 1);
  }
}
