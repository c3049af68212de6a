package io.mlproof.pipelines.features;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The point-in-time fold of one run: adds an entity-day to a {@link WindowAccumulator} holding
 * every cutoff's window statistics, and merges two accumulators. Used before the shuffle (per
 * bundle, by {@link FoldEntityDays}) and after it (by {@link MergeWindowsFn}), so both sides agree
 * by construction.
 *
 * <p>Point in time: for cutoff T (midnight UTC starting day T) a day only touches T's feature slots
 * and signup day when {@code day < T} (events strictly before T), and only T's label count when
 * {@code T <= day <= T + horizon}: the label window is the instants {@code (T, T + horizon]}, so
 * day T counts without its events at exactly midnight and day {@code T + horizon} with only those.
 */
final class WindowFolder implements Serializable {
  private static final long serialVersionUID = 1L;
  private final FeaturePlan plan;
  private final int[] cutoffs;

  /**
   * @param cutoffs sorted, distinct cutoff days
   */
  WindowFolder(FeaturePlan plan, int[] cutoffs) {
    this.plan = plan;
    this.cutoffs = cutoffs;
  }

  WindowAccumulator create() {
    return new WindowAccumulator(cutoffs.length, plan.slotCount());
  }

  /** Approximate heap bytes of one accumulator: what bounds the per-bundle pre-aggregation. */
  long accumulatorBytes() {
    return 8L * cutoffs.length * (plan.slotCount() + 3) + 128;
  }

  /**
   * Whether {@code day} lies in some cutoff's feature or label window (otherwise it is skipped).
   */
  boolean feeds(int day) {
    int c = firstCutoff(day);
    return c < cutoffs.length && cutoffs[c] <= day + plan.lookbackDays();
  }

  /** Index of the first cutoff whose windows can hold {@code day} (T >= day - horizon). */
  private int firstCutoff(int day) {
    int i = Arrays.binarySearch(cutoffs, day - plan.horizonDays());
    return i < 0 ? -i - 1 : i;
  }

  /** Adds one day of an entity ({@code m} indexed by {@link Measure#ordinal()}) to {@code acc}. */
  void add(WindowAccumulator acc, int day, long signupDay, long[] m) {
    for (int c = firstCutoff(day);
        c < cutoffs.length && cutoffs[c] <= day + plan.lookbackDays();
        c++) {
      int offset = day - cutoffs[c];
      if (offset < 0) {
        acc.signupDay[c] = Math.min(acc.signupDay[c], signupDay);
        int base = c * acc.slots;
        for (int s = 0; s < acc.slots; s++) {
          if (offset >= plan.slotFirstOffset[s] && offset < plan.slotEndOffset[s]) {
            long v = m[plan.slotMeasure[s]];
            switch (plan.slotReduce[s]) {
              case SUM -> acc.values[base + s] += v;
              case DAYS_WITH_ANY -> acc.values[base + s] += v > 0 ? 1 : 0;
              case MIN_DAYS_AGO ->
                  acc.values[base + s] =
                      v > 0 ? minDaysAgo(acc.values[base + s], -offset) : acc.values[base + s];
            }
          }
        }
      } else {
        long inWindow = m[plan.labelMeasure()];
        if (offset == 0) {
          inWindow -= m[plan.labelAtMidnight()]; // at T itself: not after T
        } else if (offset == plan.horizonDays()) {
          inWindow = m[plan.labelAtMidnight()]; // only the instant T + horizon
        }
        acc.labelCount[c] += inWindow;
        acc.labelSignupDay[c] = Math.min(acc.labelSignupDay[c], signupDay);
      }
    }
  }

  /** Adds {@code from} into {@code into} (cutoffs {@code from} never touched are skipped). */
  void merge(WindowAccumulator into, WindowAccumulator from) {
    for (int c = 0; c < into.cutoffs; c++) {
      if (!from.touched(c)) {
        continue;
      }
      int base = c * into.slots;
      for (int s = 0; s < into.slots; s++) {
        into.values[base + s] =
            switch (plan.slotReduce[s]) {
              case SUM, DAYS_WITH_ANY -> into.values[base + s] + from.values[base + s];
              case MIN_DAYS_AGO -> minDaysAgo(into.values[base + s], from.values[base + s]);
            };
      }
      into.signupDay[c] = Math.min(into.signupDay[c], from.signupDay[c]);
      into.labelSignupDay[c] = Math.min(into.labelSignupDay[c], from.labelSignupDay[c]);
      into.labelCount[c] += from.labelCount[c];
    }
  }

  /** Min of two "days ago" values where 0 means none. */
  private static long minDaysAgo(long a, long b) {
    if (a == 0) {
      return b;
    }
    return b == 0 ? a : Math.min(a, b);
  }
}
