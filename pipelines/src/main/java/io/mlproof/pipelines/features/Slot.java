package io.mlproof.pipelines.features;

import java.io.Serializable;

/**
 * One window statistic an aggregation reads: {@code reduce} of {@code measure} over the days {@code
 * [T - fromDaysAgo, T - toDaysAgo)} before the cutoff T. Equal slots are computed once and shared
 * between features.
 */
public record Slot(Measure measure, Reduce reduce, int fromDaysAgo, int toDaysAgo)
    implements Serializable {

  /** How a slot folds the days of its window. */
  public enum Reduce {
    /** Sum of the measure. */
    SUM,
    /** Number of days where the measure is positive. */
    DAYS_WITH_ANY,
    /** Fewest days before the cutoff (1 = the day before) with a positive measure; 0 = none. */
    MIN_DAYS_AGO
  }

  public Slot {
    if (toDaysAgo < 0 || fromDaysAgo <= toDaysAgo) {
      throw new IllegalArgumentException(
          "slot window must be [T - from, T - to) with from > to >= 0");
    }
  }

  /** The window of the {@code days} days right before the cutoff. */
  public static Slot last(int days, Measure measure, Reduce reduce) {
    return new Slot(measure, reduce, days, 0);
  }
}
