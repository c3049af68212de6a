package io.mlproof.pipelines.features;

import io.mlproof.pipelines.core.Rebundle;
import io.mlproof.proto.v1.DeadLetter;
import io.mlproof.proto.v1.EntityDay;
import io.mlproof.proto.v1.Example;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Entity-days to examples, point in time: for each cutoff T, one example per eligible entity with
 * features from days before T and the label from the instants {@code (T, T + horizon]}.
 *
 * <p>Each entity's rows are folded into one accumulator holding every cutoff's window statistics:
 * first per bundle ({@link FoldEntityDays}), then across bundles with {@code Combine.perKey}
 * ({@link MergeWindowsFn}, lifted by the runner). No step holds a user's history, and a row feeds
 * every cutoff without being copied per cutoff. Outputs: {@link #EXAMPLES} and {@link
 * #DEAD_LETTERS}.
 */
public final class ComputeExamples<InputT>
    extends PTransform<PCollection<InputT>, PCollectionTuple> {
  public static final TupleTag<Example> EXAMPLES = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = FoldEntityDays.DEAD_LETTERS;

  /**
   * Groups of entities after the combine, so that on the Direct runner each later step runs once
   * per group instead of once per entity (see {@link Rebundle}). Above the parallelism used here;
   * small enough that the Direct runner's per-group copies stay cheap at ~70k entities (10M
   * events).
   */
  static final int REBUNDLE_GROUPS = 64;

  private final FeaturePlan plan;
  private final int[] cutoffDays;
  private final boolean requireLabels;

  /** Bound of the per-bundle fold; 0 sizes it by {@link FoldEntityDays#BUDGET_BYTES}. */
  private final int maxEntitiesPerBundle;

  /** Rows or files; only used while the pipeline is built, so never serialized. */
  private final transient BiFunction<WindowFolder, Integer, FoldEntityDays<InputT>> fold;

  private ComputeExamples(
      FeaturePlan plan,
      int[] cutoffDays,
      boolean requireLabels,
      int maxEntitiesPerBundle,
      BiFunction<WindowFolder, Integer, FoldEntityDays<InputT>> fold) {
    this.plan = plan;
    this.cutoffDays = cutoffDays;
    this.requireLabels = requireLabels;
    this.maxEntitiesPerBundle = maxEntitiesPerBundle;
    this.fold = fold;
  }

  /**
   * Examples from entity-day elements.
   *
   * @param cutoffDays cutoffs as days since epoch (any order, duplicates ignored)
   * @param requireLabels keep only examples whose label window has ended within the data
   *     (training); false keeps every eligible entity, with {@code has_label=false} when the window
   *     is open (scoring)
   */
  public static ComputeExamples<EntityDay> of(
      FeaturePlan plan, List<Integer> cutoffDays, boolean requireLabels) {
    return new ComputeExamples<>(
        plan, sortedCutoffs(cutoffDays), requireLabels, 0, FoldEntityDays::rows);
  }

  /**
   * Examples from entity-day TFRecord files, each read whole where it is folded (the stage's path).
   */
  public static ComputeExamples<MatchResult.Metadata> ofFiles(
      FeaturePlan plan, List<Integer> cutoffDays, boolean requireLabels) {
    return new ComputeExamples<>(
        plan, sortedCutoffs(cutoffDays), requireLabels, 0, FoldEntityDays::files);
  }

  private static int[] sortedCutoffs(List<Integer> cutoffDays) {
    if (cutoffDays.isEmpty()) {
      throw new IllegalArgumentException("no cutoffs");
    }
    return cutoffDays.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
  }

  @Override
  public PCollectionTuple expand(PCollection<InputT> input) {
    WindowFolder folder = new WindowFolder(plan, cutoffDays);
    PCollectionTuple folded = input.apply("CheckAndFold", fold.apply(folder, maxEntitiesPerBundle));
    // A label window is complete when the data reaches its last day.
    PCollectionView<Integer> lastDay =
        folded
            .get(FoldEntityDays.LAST_DAYS)
            .apply("LastDay", Combine.globally(Max.ofIntegers()).asSingletonView());
    PCollection<Example> examples =
        folded
            .get(FoldEntityDays.PARTIALS)
            .apply("AggregateWindows", Combine.perKey(new MergeWindowsFn(folder)))
            .apply("Rebundle", Rebundle.into(REBUNDLE_GROUPS))
            .apply(
                "BuildExamples",
                ParDo.of(new BuildExamplesFn(plan, cutoffDays, requireLabels, lastDay))
                    .withSideInputs(lastDay))
            .setCoder(ProtoCoder.of(Example.class));
    return PCollectionTuple.of(EXAMPLES, examples).and(DEAD_LETTERS, folded.get(DEAD_LETTERS));
  }

  int maxEntitiesPerBundle() {
    return maxEntitiesPerBundle;
  }

  /**
   * The same transform folding at most {@code n} entities per bundle before it flushes (for tests).
   */
  ComputeExamples<InputT> withMaxEntitiesPerBundle(int n) {
    return new ComputeExamples<>(plan, cutoffDays, requireLabels, n, fold);
  }

  /**
   * Applies the eligibility rule and the label window per cutoff; counts every entity it drops and
   * why.
   */
  static final class BuildExamplesFn extends DoFn<KV<String, WindowAccumulator>, Example> {
    private static final long serialVersionUID = 1L;
    private final FeaturePlan plan;
    private final int[] cutoffs;
    private final boolean requireLabels;
    private final PCollectionView<Integer> lastDay;
    private final Counter signedUpLater = counter("entities_signed_up_after_cutoff");
    private final Counter inactive = counter("entities_inactive_in_lookback");
    private final Counter labelOpen = counter("examples_label_window_open");
    private final Counter written = counter("examples");
    private final Counter unlabeled = counter("examples_without_label");
    private final Counter positives = counter("examples_positive");

    BuildExamplesFn(
        FeaturePlan plan, int[] cutoffs, boolean requireLabels, PCollectionView<Integer> lastDay) {
      this.plan = plan;
      this.cutoffs = cutoffs;
      this.requireLabels = requireLabels;
      this.lastDay = lastDay;
    }

    private static Counter counter(String name) {
      return Metrics.counter(FeaturesPipeline.METRICS, name);
    }

    @ProcessElement
    public void process(@Element KV<String, WindowAccumulator> element, ProcessContext context) {
      WindowAccumulator acc = element.getValue();
      long last = context.sideInput(lastDay);
      for (int c = 0; c < cutoffs.length; c++) {
        if (acc.touched(c)) {
          build(element.getKey(), acc, c, last, context);
        }
      }
    }

    private void build(
        String entity, WindowAccumulator acc, int c, long lastDay, ProcessContext context) {
      int cutoff = cutoffs[c];
      if (acc.signupDay[c] == WindowAccumulator.NONE) {
        // Only label-window rows: no activity before T at all.
        (acc.labelSignupDay[c] >= cutoff ? signedUpLater : inactive).inc();
        return;
      }
      if (acc.signupDay[c] >= cutoff) {
        signedUpLater.inc();
        return;
      }
      if (!plan.active(acc, c)) {
        inactive.inc();
        return;
      }
      // (T, T + horizon] ends at the first instant of day T + horizon: the data must reach that
      // day.
      boolean labelComplete = (long) cutoff + plan.horizonDays() <= lastDay;
      if (requireLabels && !labelComplete) {
        labelOpen.inc();
        return;
      }
      Example.Builder example =
          Example.newBuilder()
              .setEntityId(entity)
              .setCutoffDay(cutoff)
              .setFeatureSpecHash(plan.specHash())
              .setHasLabel(labelComplete)
              .setLabel(labelComplete && acc.labelCount[c] == 0);
      for (double v : plan.features(acc, c, cutoff)) {
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
