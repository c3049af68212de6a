package io.mlproof.pipelines.features;

import io.mlproof.proto.v1.DeadLetter;
import io.mlproof.proto.v1.EntityDay;
import io.mlproof.proto.v1.Example;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Entity-days to examples, point in time: for each cutoff T, one example per eligible entity with
 * features from days before T and the label from the days {@code [T, T + horizon)}.
 *
 * <p>Each row is sent to the cutoffs whose windows contain it (key = entity + cutoff) and folded by
 * {@link AggregateWindowsFn} with {@code Combine.perKey}, so no step holds a user's history.
 * Outputs: {@link #EXAMPLES} and {@link #DEAD_LETTERS}.
 */
public final class ComputeExamples extends PTransform<PCollection<EntityDay>, PCollectionTuple> {
  public static final TupleTag<Example> EXAMPLES = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = ValidateEntityDays.DEAD_LETTERS;

  private final FeaturePlan plan;
  private final int[] cutoffDays;
  private final boolean requireLabels;

  private ComputeExamples(FeaturePlan plan, int[] cutoffDays, boolean requireLabels) {
    this.plan = plan;
    this.cutoffDays = cutoffDays;
    this.requireLabels = requireLabels;
  }

  /**
   * @param cutoffDays cutoffs as days since epoch (any order, duplicates ignored)
   * @param requireLabels keep only examples whose label window has ended within the data (training);
   *     false keeps every eligible entity, with {@code has_label=false} when the window is open (scoring)
   */
  public static ComputeExamples of(FeaturePlan plan, List<Integer> cutoffDays, boolean requireLabels) {
    if (cutoffDays.isEmpty()) {
      throw new IllegalArgumentException("no cutoffs");
    }
    int[] sorted = cutoffDays.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
    return new ComputeExamples(plan, sorted, requireLabels);
  }

  @Override
  public PCollectionTuple expand(PCollection<EntityDay> rows) {
    PCollectionTuple checked = rows.apply("ValidateRows", ValidateEntityDays.create());
    PCollection<EntityDay> valid = checked.get(ValidateEntityDays.VALID);
    // Label windows are complete up to the last day present in the data.
    PCollectionView<Integer> lastDay = valid
        .apply("Day", MapElements.into(TypeDescriptors.integers()).via(EntityDay::getDay))
        .apply("LastDay", Combine.globally(Max.ofIntegers()).asSingletonView());
    PCollection<Example> examples = valid
        .apply("FanOutToCutoffs", ParDo.of(new FanOutFn(cutoffDays, plan.lookbackDays(), plan.horizonDays())))
        .setCoder(KvCoder.of(EntityCutoff.Coder.of(), DayRow.Coder.of()))
        .apply("AggregateWindows", Combine.perKey(new AggregateWindowsFn(plan)))
        .apply("BuildExamples", ParDo.of(new BuildExamplesFn(plan, requireLabels, lastDay)).withSideInputs(lastDay))
        .setCoder(ProtoCoder.of(Example.class));
    return PCollectionTuple.of(EXAMPLES, examples).and(DEAD_LETTERS, checked.get(DEAD_LETTERS));
  }

  /** Sends a day to every cutoff T with {@code T - lookback <= day < T + horizon}. */
  static final class FanOutFn extends DoFn<EntityDay, KV<EntityCutoff, DayRow>> {
    private static final long serialVersionUID = 1L;
    private final int[] cutoffs;
    private final int lookback;
    private final int horizon;
    private final Counter outside = Metrics.counter(FeaturesPipeline.METRICS, "entity_days_outside_windows");

    FanOutFn(int[] cutoffs, int lookback, int horizon) {
      this.cutoffs = cutoffs;
      this.lookback = lookback;
      this.horizon = horizon;
    }

    @ProcessElement
    public void process(@Element EntityDay row, OutputReceiver<KV<EntityCutoff, DayRow>> out) {
      int day = row.getDay();
      // First cutoff with day < T + horizon, i.e. T > day - horizon.
      int i = Arrays.binarySearch(cutoffs, day - horizon + 1);
      i = i < 0 ? -i - 1 : i;
      long[] measures = null;
      for (; i < cutoffs.length && cutoffs[i] <= day + lookback; i++) {
        if (measures == null) {
          measures = Measure.of(row);
        }
        int cutoff = cutoffs[i];
        out.output(KV.of(new EntityCutoff(row.getEntityId(), cutoff),
            new DayRow(day - cutoff, row.getSignupDay(), measures)));
      }
      if (measures == null) {
        outside.inc();
      }
    }
  }

  /** Applies the eligibility rule and the label window; counts every entity it drops and why. */
  static final class BuildExamplesFn extends DoFn<KV<EntityCutoff, WindowAccumulator>, Example> {
    private static final long serialVersionUID = 1L;
    private final FeaturePlan plan;
    private final boolean requireLabels;
    private final PCollectionView<Integer> lastDay;
    private final Counter signedUpLater = counter("entities_signed_up_after_cutoff");
    private final Counter inactive = counter("entities_inactive_in_lookback");
    private final Counter labelOpen = counter("examples_label_window_open");
    private final Counter written = counter("examples");
    private final Counter unlabeled = counter("examples_without_label");
    private final Counter positives = counter("examples_positive");

    BuildExamplesFn(FeaturePlan plan, boolean requireLabels, PCollectionView<Integer> lastDay) {
      this.plan = plan;
      this.requireLabels = requireLabels;
      this.lastDay = lastDay;
    }

    private static Counter counter(String name) {
      return Metrics.counter(FeaturesPipeline.METRICS, name);
    }

    @ProcessElement
    public void process(@Element KV<EntityCutoff, WindowAccumulator> element, ProcessContext context) {
      int cutoff = element.getKey().cutoffDay();
      WindowAccumulator acc = element.getValue();
      if (acc.signupDay == WindowAccumulator.NONE) {
        // Only label-window rows: no activity before T at all.
        (acc.labelSignupDay >= cutoff ? signedUpLater : inactive).inc();
        return;
      }
      if (acc.signupDay >= cutoff) {
        signedUpLater.inc();
        return;
      }
      if (!plan.active(acc)) {
        inactive.inc();
        return;
      }
      boolean labelComplete = (long) cutoff + plan.horizonDays() <= (long) context.sideInput(lastDay) + 1;
      if (requireLabels && !labelComplete) {
        labelOpen.inc();
        return;
      }
      Example.Builder example = Example.newBuilder()
          .setEntityId(element.getKey().entityId())
          .setCutoffDay(cutoff)
          .setFeatureSpecHash(plan.specHash())
          .setHasLabel(labelComplete)
          .setLabel(labelComplete && acc.labelCount == 0);
      for (double v : plan.features(acc, cutoff)) {
        example.addFeatures(v);
      }
      written.inc();
      if (!labelComplete) {
        unlabeled.inc();
      } else if (example.getLabel()) {
        positives.inc();
      }
      context.output(example.build());
    }
  }
}
