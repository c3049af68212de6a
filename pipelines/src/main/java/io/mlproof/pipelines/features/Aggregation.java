package io.mlproof.pipelines.features;

import java.io.Serializable;
import java.util.List;

/**
 * How one feature is computed from an entity's days before a cutoff. Implementations are small
 * immutable records registered by name in {@link Aggregations}; a feature names one with {@code
 * Feature.aggregation}.
 */
public interface Aggregation extends Serializable {

  /**
   * Whether the feature needs {@code window_days > 0} (true, the default) or must leave it 0
   * (false).
   */
  default boolean windowed() {
    return true;
  }

  /** The window statistics the feature reads for a lookback of {@code windowDays}. */
  List<Slot> slots(int windowDays);

  /**
   * The feature's value, NaN when missing.
   *
   * @param slotValues the values of {@link #slots}, in that order
   * @param cutoffDay the cutoff T (days since epoch)
   * @param signupDay the entity's signup day (days since epoch), always before T
   */
  double value(long[] slotValues, int cutoffDay, long signupDay);
}
