package io.mlproof.pipelines.evaluate;

import io.mlproof.proto.v1.CalibrationBin;
import io.mlproof.proto.v1.LiftPoint;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary-classification metrics over plain arrays (a score per row, a label per row).
 *
 * <p>Conventions, chosen once and tested against hand-computed values:
 *
 * <ul>
 *   <li>Ties: ROC-AUC counts a tied positive/negative pair as half a win (Mann-Whitney); PR-AUC is
 *       <em>average precision</em> (scikit-learn's {@code average_precision_score}): precision is
 *       taken after each whole group of tied scores, weighted by the recall it adds; lift and gains
 *       are the expected values when ties at the cut are broken at random.
 *   <li>One class only: ROC-AUC is NaN (undefined); average precision is NaN without positives.
 *   <li>No rows: every function throws {@link IllegalArgumentException}.
 * </ul>
 */
public final class Metrics {
  /** Log loss clips probabilities to [EPS, 1 - EPS], as scikit-learn does. */
  static final double EPS = 1e-15;

  private Metrics() {}

  /** Scores ranked once, highest first; the ranking metrics walk it group by group of ties. */
  public static final class Ranked {
    private final double[] scores;
    private final boolean[] labels;
    private final int[] order;
    private final long positives;

    public Ranked(double[] scores, boolean[] labels) {
      requireRows(scores.length, labels.length);
      this.scores = scores;
      this.labels = labels;
      this.order = Ranking.descending(scores);
      long p = 0;
      for (boolean label : labels) {
        p += label ? 1 : 0;
      }
      this.positives = p;
    }

    public long positives() {
      return positives;
    }

    public long negatives() {
      return labels.length - positives;
    }

    /** Row indices, highest score first, ties by row index. */
    public int[] order() {
      return order;
    }

    /** Probability that a random positive outranks a random negative; ties count one half. */
    public double rocAuc() {
      long n = negatives();
      if (positives == 0 || n == 0) {
        return Double.NaN;
      }
      double wins = 0;
      long negativesSeen = 0;
      for (int start = 0; start < order.length; ) {
        int end = groupEnd(start);
        long pos = 0;
        long neg = 0;
        for (int i = start; i < end; i++) {
          if (labels[order[i]]) {
            pos++;
          } else {
            neg++;
          }
        }
        long negativesBelow = n - negativesSeen - neg;
        wins += pos * (negativesBelow + neg / 2.0);
        negativesSeen += neg;
        start = end;
      }
      return wins / ((double) positives * n);
    }

    /** Average precision: sum over tie groups of (recall gained) x (precision after the group). */
    public double averagePrecision() {
      if (positives == 0) {
        return Double.NaN;
      }
      double ap = 0;
      long tp = 0;
      long fp = 0;
      for (int start = 0; start < order.length; ) {
        int end = groupEnd(start);
        long pos = 0;
        for (int i = start; i < end; i++) {
          pos += labels[order[i]] ? 1 : 0;
        }
        tp += pos;
        fp += (end - start) - pos;
        if (pos > 0) {
          ap += ((double) pos / positives) * ((double) tp / (tp + fp));
        }
        start = end;
      }
      return ap;
    }

    /** Targets the first {@code k} rows of the ranking (ties broken by row index). */
    public boolean[] topK(long k) {
      if (k < 0 || k > order.length) {
        throw new IllegalArgumentException("k=" + k + " is outside [0, " + order.length + "]");
      }
      boolean[] targeted = new boolean[order.length];
      for (int i = 0; i < k; i++) {
        targeted[order[i]] = true;
      }
      return targeted;
    }

    /** The score of the k-th ranked row (the lowest score targeted at top-k); +inf for k = 0. */
    public double scoreAtRank(long k) {
      return k == 0 ? Double.POSITIVE_INFINITY : scores[order[(int) k - 1]];
    }

    /**
     * Gain (share of all positives) and lift (gain / fraction) in the top {@code fraction} of rows,
     * expected over random tie-breaking at the cut; fractional rows allowed (top 5% of 30 rows is
     * 1.5 rows).
     */
    public LiftPoint lift(double fraction) {
      if (!(fraction > 0 && fraction <= 1)) {
        throw new IllegalArgumentException("top fraction must be in (0, 1], got " + fraction);
      }
      double quota = fraction * order.length;
      double captured = 0;
      int taken = 0;
      for (int start = 0; start < order.length && taken < quota; ) {
        int end = groupEnd(start);
        int size = end - start;
        long pos = 0;
        for (int i = start; i < end; i++) {
          pos += labels[order[i]] ? 1 : 0;
        }
        double share = Math.min(1.0, (quota - taken) / size);
        captured += share * pos;
        taken += size;
        start = end;
      }
      double gain = positives == 0 ? Double.NaN : captured / positives;
      return LiftPoint.newBuilder()
          .setTopFraction(fraction)
          .setGain(gain)
          .setLift(gain / fraction)
          .build();
    }

    private int groupEnd(int start) {
      double value = scores[order[start]];
      int end = start + 1;
      while (end < order.length && scores[order[end]] == value) {
        end++;
      }
      return end;
    }
  }

  /**
   * The threshold t maximising F1 of "target when score >= t" over the distinct scores; on equal F1
   * the higher threshold (fewer people targeted) wins. Positives' and negatives' scores are sorted
   * apart (primitive sorts) and walked together from the top, one tie group at a time.
   */
  public static double bestF1Threshold(double[] scores, boolean[] labels) {
    requireRows(scores.length, labels.length);
    int positives = 0;
    for (boolean l : labels) {
      positives += l ? 1 : 0;
    }
    double[] pos = new double[positives];
    double[] neg = new double[labels.length - positives];
    for (int i = 0, p = 0, q = 0; i < labels.length; i++) {
      if (Double.isNaN(scores[i])) {
        throw new IllegalArgumentException("score of row " + i + " is NaN: scores must be numbers");
      }
      if (labels[i]) {
        pos[p++] = scores[i];
      } else {
        neg[q++] = scores[i];
      }
    }
    java.util.Arrays.sort(pos);
    java.util.Arrays.sort(neg);
    int i = pos.length - 1;
    int j = neg.length - 1;
    long tp = 0;
    long fp = 0;
    double best = -1;
    double threshold = Double.POSITIVE_INFINITY;
    while (i >= 0 || j >= 0) {
      double t =
          Math.max(
              i >= 0 ? pos[i] : Double.NEGATIVE_INFINITY,
              j >= 0 ? neg[j] : Double.NEGATIVE_INFINITY);
      while (i >= 0 && pos[i] == t) {
        tp++;
        i--;
      }
      while (j >= 0 && neg[j] == t) {
        fp++;
        j--;
      }
      double f1 = 2.0 * tp / (2.0 * tp + fp + (positives - tp));
      if (f1 > best) {
        best = f1;
        threshold = t;
      }
    }
    return threshold;
  }

  /** Mean negative log-likelihood of the labels under probabilities {@code p} (clipped). */
  public static double logLoss(double[] p, boolean[] labels) {
    requireRows(p.length, labels.length);
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      double q = Math.min(1 - EPS, Math.max(EPS, requireProbability(p[i], i)));
      sum -= labels[i] ? Math.log(q) : Math.log(1 - q);
    }
    return sum / p.length;
  }

  /** Mean squared difference between probability and outcome. */
  public static double brier(double[] p, boolean[] labels) {
    requireRows(p.length, labels.length);
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      double d = requireProbability(p[i], i) - (labels[i] ? 1 : 0);
      sum += d * d;
    }
    return sum / p.length;
  }

  /**
   * Ten equal-count bins by predicted probability, lowest first (decile 1), ties by row index;
   * empty bins (fewer than ten rows) are left out.
   */
  public static List<CalibrationBin> calibration(double[] p, boolean[] labels) {
    requireRows(p.length, labels.length);
    return calibration(p, labels, Ranking.descending(p));
  }

  /** {@link #calibration(double[], boolean[])} with {@code p}'s descending order already known. */
  static List<CalibrationBin> calibration(double[] p, boolean[] labels, int[] descending) {
    int n = p.length;
    double[] sumPredicted = new double[10];
    long[] positives = new long[10];
    long[] counts = new long[10];
    for (int rank = 0; rank < n; rank++) {
      int row = descending[n - 1 - rank]; // ascending: lowest probability first
      int bin = (int) ((long) rank * 10 / n);
      sumPredicted[bin] += requireProbability(p[row], row);
      positives[bin] += labels[row] ? 1 : 0;
      counts[bin]++;
    }
    List<CalibrationBin> bins = new ArrayList<>();
    for (int b = 0; b < 10; b++) {
      if (counts[b] > 0) {
        bins.add(
            CalibrationBin.newBuilder()
                .setDecile(b + 1)
                .setMeanPredicted(sumPredicted[b] / counts[b])
                .setObservedRate((double) positives[b] / counts[b])
                .setCount(counts[b])
                .build());
      }
    }
    return bins;
  }

  /** Share of positive labels. */
  public static double positiveRate(boolean[] labels) {
    requireRows(labels.length, labels.length);
    long p = 0;
    for (boolean label : labels) {
      p += label ? 1 : 0;
    }
    return (double) p / labels.length;
  }

  static void requireRows(int values, int labels) {
    if (values != labels) {
      throw new IllegalArgumentException(
          values + " scores but " + labels + " labels: one score per label");
    }
    if (labels == 0) {
      throw new IllegalArgumentException(
          "no rows to evaluate: metrics need at least one labelled row");
    }
  }

  private static double requireProbability(double p, int row) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(
          "probability of row " + row + " is " + p + ", not in [0, 1]");
    }
    return p;
  }
}
