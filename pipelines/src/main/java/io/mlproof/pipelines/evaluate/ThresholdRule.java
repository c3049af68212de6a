package io.mlproof.pipelines.evaluate;

import java.util.Arrays;
import java.util.List;

/**
 * The heuristic baseline: "target everyone whose {@code feature} is above (or below) a threshold",
 * e.g. {@code days_since_last_purchase > 21}, with missing values on one side or the other. The
 * rule is tuned on the training rows only; validation rows only measure it.
 */
public record ThresholdRule(
    String feature,
    int column,
    Direction direction,
    double threshold,
    boolean missingTargeted,
    double targetedTrainRate,
    double otherTrainRate) {

  /** Which side of the threshold is targeted. */
  public enum Direction {
    ABOVE(">"),
    BELOW("<");

    private final String symbol;

    Direction(String symbol) {
      this.symbol = symbol;
    }
  }

  /** Quantiles (in percent) of a feature's training values that the grid search tries. */
  static final int GRID_PERCENTILES = 99;

  public boolean targets(double value) {
    if (Double.isNaN(value)) {
      return missingTargeted;
    }
    return direction == Direction.ABOVE ? value > threshold : value < threshold;
  }

  /**
   * A ranking score consistent with the rule: higher means "more targeted". Used for the ranking
   * metrics (ROC-AUC, PR-AUC, lift) and for top-k targeting, so the heuristic ranks customers by
   * the raw feature rather than by two levels.
   */
  public double rankingScore(double value) {
    if (Double.isNaN(value)) {
      return missingTargeted ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }
    return direction == Direction.ABOVE ? value : -value;
  }

  /** The rule's probability of a positive: its precision on the training rows on each side. */
  public double probability(double value) {
    return targets(value) ? targetedTrainRate : otherTrainRate;
  }

  /**
   * e.g. {@code heuristic:days_since_last_purchase>21.0} (plus {@code |missing} when missing is
   * targeted).
   */
  public String name() {
    return "heuristic:"
        + feature
        + direction.symbol
        + Numbers.plain(threshold)
        + (missingTargeted ? "|missing" : "");
  }

  /**
   * The best rule by training F1 over {@code candidates} (column index, feature name): thresholds
   * at the 1st..99th percentile of each feature's non-missing training values, both directions,
   * missing values targeted or not. Equal F1 keeps the first found (feature order, ABOVE before
   * BELOW, lower threshold first, missing not targeted first), so the choice is deterministic.
   */
  public static ThresholdRule tune(LabeledMatrix train, List<Candidate> candidates) {
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("no candidate features for the heuristic baseline");
    }
    long positives = 0;
    for (boolean label : train.labels()) {
      positives += label ? 1 : 0;
    }
    Best best = null;
    for (Candidate candidate : candidates) {
      best = tuneColumn(train, candidate, positives, best);
    }
    if (best == null) {
      throw new IllegalArgumentException(
          "heuristic features "
              + candidates.stream().map(Candidate::feature).toList()
              + " have no values in the training rows");
    }
    return best.rule(positives, train.rows());
  }

  /** A feature the heuristic may threshold. */
  public record Candidate(int column, String feature) {}

  private record Best(
      Candidate candidate,
      Direction direction,
      double threshold,
      boolean missing,
      double f1,
      long tp,
      long fp) {
    ThresholdRule rule(long positives, int rows) {
      long negatives = rows - positives;
      long fn = positives - tp;
      long tn = negatives - fp;
      double base = (double) positives / rows;
      double targetedRate = tp + fp == 0 ? base : (double) tp / (tp + fp);
      double otherRate = fn + tn == 0 ? base : (double) fn / (fn + tn);
      return new ThresholdRule(
          candidate.feature(),
          candidate.column(),
          direction,
          threshold,
          missing,
          targetedRate,
          otherRate);
    }
  }

  private static Best tuneColumn(
      LabeledMatrix train, Candidate candidate, long positives, Best best) {
    double[] column = train.column(candidate.column());
    boolean[] labels = train.labels();
    int presentPositives = 0;
    int presentNegatives = 0;
    for (int r = 0; r < column.length; r++) {
      if (!Double.isNaN(column[r])) {
        if (labels[r]) {
          presentPositives++;
        } else {
          presentNegatives++;
        }
      }
    }
    int present = presentPositives + presentNegatives;
    if (present == 0) {
      return best;
    }
    // Present values of positives and of negatives, each sorted: counts on either side of a
    // threshold are two binary searches.
    double[] all = new double[present];
    double[] pos = new double[presentPositives];
    double[] neg = new double[presentNegatives];
    for (int r = 0, a = 0, p = 0, q = 0; r < column.length; r++) {
      if (!Double.isNaN(column[r])) {
        all[a++] = column[r];
        if (labels[r]) {
          pos[p++] = column[r];
        } else {
          neg[q++] = column[r];
        }
      }
    }
    Arrays.sort(all);
    Arrays.sort(pos);
    Arrays.sort(neg);
    long missingPositives = positives - presentPositives;
    long missingNegatives = (column.length - positives) - presentNegatives;
    double[] grid = new double[GRID_PERCENTILES];
    for (int q = 1; q <= GRID_PERCENTILES; q++) {
      grid[q - 1] = all[(int) Math.min(present - 1, (long) q * present / 100)];
    }
    double[] thresholds = Arrays.stream(grid).distinct().toArray();
    for (Direction direction : Direction.values()) {
      for (double t : thresholds) {
        long tpPresent;
        long fpPresent;
        if (direction == Direction.ABOVE) {
          tpPresent = presentPositives - upperBound(pos, t);
          fpPresent = presentNegatives - upperBound(neg, t);
        } else {
          tpPresent = lowerBound(pos, t);
          fpPresent = lowerBound(neg, t);
        }
        for (boolean missing : new boolean[] {false, true}) {
          long tp = tpPresent + (missing ? missingPositives : 0);
          long fp = fpPresent + (missing ? missingNegatives : 0);
          long fn = positives - tp;
          double f1 = tp == 0 ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn);
          if (best == null || f1 > best.f1()) {
            best = new Best(candidate, direction, t, missing, f1, tp, fp);
          }
        }
      }
    }
    return best;
  }

  /** First index with sorted[i] > t. */
  private static int upperBound(double[] sorted, double t) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] <= t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** First index with sorted[i] >= t. */
  private static int lowerBound(double[] sorted, double t) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
