package io.mlproof.pipelines.features;

import io.mlproof.pipelines.features.Slot.Reduce;
import io.mlproof.proto.v1.Feature;
import io.mlproof.proto.v1.FeatureSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checked spec compiled for the hot loop: the distinct window statistics ("slots") every feature
 * reads, as flat arrays, plus the eligibility and label rules.
 *
 * <p>Point in time: every slot covers days strictly before the cutoff (offset {@code day - T < 0});
 * the label covers the instants {@code (T, T + horizon]}: the days {@code [T, T + horizon)} without
 * day T's events at exactly midnight, plus day {@code T + horizon}'s events at exactly midnight.
 */
public final class FeaturePlan implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String specHash;
  private final List<String> featureNames;
  private final Aggregation[] aggregations;
  private final int[][] featureSlots;
  // Slot columns, indexed by slot number.
  final int[] slotMeasure;
  final Reduce[] slotReduce;

  /** First offset (day - T) inside the slot's window, inclusive; negative. */
  final int[] slotFirstOffset;

  /** Offset after the slot's window, exclusive; at most 0. */
  final int[] slotEndOffset;

  private final int eligibilitySlot;
  private final int lookbackDays;
  private final int labelMeasure;
  private final int labelAtMidnight;
  private final int horizonDays;

  private FeaturePlan(FeatureSpec spec) {
    this.specHash = FeatureSpecs.hash(spec);
    this.featureNames = List.copyOf(FeatureSpecs.featureNames(spec));
    Map<Slot, Integer> slots = new LinkedHashMap<>();
    this.aggregations = new Aggregation[spec.getFeaturesCount()];
    this.featureSlots = new int[spec.getFeaturesCount()][];
    for (int i = 0; i < spec.getFeaturesCount(); i++) {
      Feature f = spec.getFeatures(i);
      aggregations[i] = Aggregations.get(f.getAggregation());
      List<Slot> needed = aggregations[i].slots(f.getWindowDays());
      featureSlots[i] =
          needed.stream().mapToInt(s -> slots.computeIfAbsent(s, k -> slots.size())).toArray();
    }
    Slot eligibility = Slot.last(spec.getEligibilityDays(), Measure.EVENTS, Reduce.DAYS_WITH_ANY);
    this.eligibilitySlot = slots.computeIfAbsent(eligibility, k -> slots.size());
    List<Slot> ordered = new ArrayList<>(slots.keySet());
    int n = ordered.size();
    this.slotMeasure = new int[n];
    this.slotReduce = new Reduce[n];
    this.slotFirstOffset = new int[n];
    this.slotEndOffset = new int[n];
    int lookback = 0;
    for (int s = 0; s < n; s++) {
      Slot slot = ordered.get(s);
      slotMeasure[s] = slot.measure().ordinal();
      slotReduce[s] = slot.reduce();
      slotFirstOffset[s] = -slot.fromDaysAgo();
      slotEndOffset[s] = -slot.toDaysAgo();
      lookback = Math.max(lookback, slot.fromDaysAgo());
    }
    this.lookbackDays = lookback;
    LabelDefinition definition = LabelDefinition.of(spec.getLabel().getDefinition()).orElseThrow();
    this.labelMeasure = definition.measure().ordinal();
    this.labelAtMidnight = definition.atMidnight().ordinal();
    this.horizonDays = spec.getLabel().getHorizonDays();
  }

  /** Compiles a spec that {@link FeatureSpecs} has checked. */
  public static FeaturePlan of(FeatureSpec spec) {
    return new FeaturePlan(spec);
  }

  public String specHash() {
    return specHash;
  }

  public List<String> featureNames() {
    return featureNames;
  }

  public int featureCount() {
    return aggregations.length;
  }

  public int slotCount() {
    return slotMeasure.length;
  }

  /**
   * Days before a cutoff any slot reads: a day d feeds cutoff T's features when T - lookback <= d <
   * T.
   */
  public int lookbackDays() {
    return lookbackDays;
  }

  public int horizonDays() {
    return horizonDays;
  }

  int labelMeasure() {
    return labelMeasure;
  }

  /** The label measure's events at exactly midnight (see the class comment). */
  int labelAtMidnight() {
    return labelAtMidnight;
  }

  /** Whether the accumulated entity had an event in cutoff {@code c}'s eligibility window. */
  boolean active(WindowAccumulator acc, int c) {
    return acc.values[c * acc.slots + eligibilitySlot] > 0;
  }

  /**
   * Feature values in spec order (NaN = missing) at cutoff number {@code c}, day {@code cutoffDay}.
   */
  double[] features(WindowAccumulator acc, int c, int cutoffDay) {
    double[] out = new double[aggregations.length];
    int base = c * acc.slots;
    for (int f = 0; f < aggregations.length; f++) {
      int[] idx = featureSlots[f];
      long[] v = new long[idx.length];
      for (int i = 0; i < idx.length; i++) {
        v[i] = acc.values[base + idx[i]];
      }
      out[f] = aggregations[f].value(v, cutoffDay, acc.signupDay[c]);
    }
    return out;
  }
}
