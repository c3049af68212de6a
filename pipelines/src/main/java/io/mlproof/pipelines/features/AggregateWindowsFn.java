package io.mlproof.pipelines.features;

import java.util.Arrays;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Folds an entity's day rows into the window statistics of every cutoff of the run. Associative and
 * commutative, so runners lift it into partial combines before the shuffle: a few longs per entity
 * and cutoff cross the network, never a user's history, and each row is shuffled once however many
 * cutoffs it feeds.
 *
 * <p>Point in time: for cutoff T a row only touches T's feature slots and signup day when
 * {@code day < T}, and only T's label count when {@code T <= day < T + horizon}.
 */
final class AggregateWindowsFn extends Combine.CombineFn<DayRow, WindowAccumulator, WindowAccumulator> {
  private static final long serialVersionUID = 1L;
  private final FeaturePlan plan;
  private final int[] cutoffs;

  /** @param cutoffs sorted, distinct cutoff days */
  AggregateWindowsFn(FeaturePlan plan, int[] cutoffs) {
    this.plan = plan;
    this.cutoffs = cutoffs;
  }

  /** Index of the first cutoff whose windows can hold {@code day} (T > day - horizon). */
  static int firstCutoff(int[] cutoffs, int day, int horizon) {
    int i = Arrays.binarySearch(cutoffs, day - horizon + 1);
    return i < 0 ? -i - 1 : i;
  }

  @Override
  public WindowAccumulator createAccumulator() {
    return new WindowAccumulator(cutoffs.length, plan.slotCount());
  }

  @Override
  public WindowAccumulator addInput(WindowAccumulator acc, DayRow row) {
    int day = row.day();
    long[] m = row.measures();
    for (int c = firstCutoff(cutoffs, day, plan.horizonDays());
        c < cutoffs.length && cutoffs[c] <= day + plan.lookbackDays(); c++) {
      int offset = day - cutoffs[c];
      if (offset < 0) {
        acc.signupDay[c] = Math.min(acc.signupDay[c], row.signupDay());
        int base = c * acc.slots;
        for (int s = 0; s < acc.slots; s++) {
          if (offset >= plan.slotFirstOffset[s] && offset < plan.slotEndOffset[s]) {
            long v = m[plan.slotMeasure[s]];
            switch (plan.slotReduce[s]) {
              case SUM -> acc.values[base + s] += v;
              case DAYS_WITH_ANY -> acc.values[base + s] += v > 0 ? 1 : 0;
              case MIN_DAYS_AGO -> acc.values[base + s] =
                  v > 0 ? minDaysAgo(acc.values[base + s], -offset) : acc.values[base + s];
            }
          }
        }
      } else {
        acc.labelCount[c] += m[plan.labelMeasure()];
        acc.labelSignupDay[c] = Math.min(acc.labelSignupDay[c], row.signupDay());
      }
    }
    return acc;
  }

  @Override
  public WindowAccumulator mergeAccumulators(Iterable<WindowAccumulator> accumulators) {
    WindowAccumulator merged = createAccumulator();
    for (WindowAccumulator a : accumulators) {
      for (int c = 0; c < merged.cutoffs; c++) {
        if (!a.touched(c)) {
          continue;
        }
        int base = c * merged.slots;
        for (int s = 0; s < merged.slots; s++) {
          merged.values[base + s] = switch (plan.slotReduce[s]) {
            case SUM, DAYS_WITH_ANY -> merged.values[base + s] + a.values[base + s];
            case MIN_DAYS_AGO -> minDaysAgo(merged.values[base + s], a.values[base + s]);
          };
        }
        merged.signupDay[c] = Math.min(merged.signupDay[c], a.signupDay[c]);
        merged.labelSignupDay[c] = Math.min(merged.labelSignupDay[c], a.labelSignupDay[c]);
        merged.labelCount[c] += a.labelCount[c];
      }
    }
    return merged;
  }

  @Override
  public WindowAccumulator extractOutput(WindowAccumulator acc) {
    return acc;
  }

  @Override
  public Coder<WindowAccumulator> getAccumulatorCoder(CoderRegistry registry, Coder<DayRow> input)
      throws CannotProvideCoderException {
    return new WindowAccumulator.Coder();
  }

  @Override
  public Coder<WindowAccumulator> getDefaultOutputCoder(CoderRegistry registry, Coder<DayRow> input) {
    return new WindowAccumulator.Coder();
  }

  /** Min of two "days ago" values where 0 means none. */
  private static long minDaysAgo(long a, long b) {
    if (a == 0) {
      return b;
    }
    return b == 0 ? a : Math.min(a, b);
  }
}
