package io.mlproof.pipelines.features;

import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Folds an (entity, cutoff)'s day rows into its window statistics. Associative and commutative, so
 * runners lift it into partial combines before the shuffle (a few longs per key cross the network,
 * never a user's whole history).
 */
final class AggregateWindowsFn extends Combine.CombineFn<DayRow, WindowAccumulator, WindowAccumulator> {
  private static final long serialVersionUID = 1L;
  private final FeaturePlan plan;

  AggregateWindowsFn(FeaturePlan plan) {
    this.plan = plan;
  }

  @Override
  public WindowAccumulator createAccumulator() {
    return new WindowAccumulator(plan.slotCount());
  }

  @Override
  public WindowAccumulator addInput(WindowAccumulator acc, DayRow row) {
    int offset = row.offset();
    long[] m = row.measures();
    if (offset < 0) {
      acc.signupDay = Math.min(acc.signupDay, row.signupDay());
      for (int s = 0; s < acc.slots.length; s++) {
        if (offset >= plan.slotFirstOffset[s] && offset < plan.slotEndOffset[s]) {
          long v = m[plan.slotMeasure[s]];
          switch (plan.slotReduce[s]) {
            case SUM -> acc.slots[s] += v;
            case DAYS_WITH_ANY -> acc.slots[s] += v > 0 ? 1 : 0;
            case MIN_DAYS_AGO -> acc.slots[s] = v > 0 ? minDaysAgo(acc.slots[s], -offset) : acc.slots[s];
          }
        }
      }
    } else if (offset < plan.horizonDays()) {
      acc.labelCount += m[plan.labelMeasure()];
      acc.labelSignupDay = Math.min(acc.labelSignupDay, row.signupDay());
    }
    return acc;
  }

  @Override
  public WindowAccumulator mergeAccumulators(Iterable<WindowAccumulator> accumulators) {
    WindowAccumulator merged = createAccumulator();
    for (WindowAccumulator a : accumulators) {
      for (int s = 0; s < merged.slots.length; s++) {
        merged.slots[s] = switch (plan.slotReduce[s]) {
          case SUM, DAYS_WITH_ANY -> merged.slots[s] + a.slots[s];
          case MIN_DAYS_AGO -> minDaysAgo(merged.slots[s], a.slots[s]);
        };
      }
      merged.signupDay = Math.min(merged.signupDay, a.signupDay);
      merged.labelSignupDay = Math.min(merged.labelSignupDay, a.labelSignupDay);
      merged.labelCount += a.labelCount;
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
