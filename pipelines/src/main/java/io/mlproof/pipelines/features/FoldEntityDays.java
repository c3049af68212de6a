package io.mlproof.pipelines.features;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.proto.v1.DeadLetter;
import io.mlproof.proto.v1.EntityDay;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Checks entity-days and folds the good ones, per entity, into partial {@link WindowAccumulator}s
 * for {@link MergeWindowsFn}: a bounded in-bundle pre-aggregation ahead of the runner's lifted
 * combine. Input: entity-day elements ({@link #rows}), or entity-day TFRecord files read whole in
 * the same step ({@link #files}). Outputs: {@link #PARTIALS} (one accumulator per entity per
 * flush), {@link #LAST_DAYS} (the last valid day of each bundle, for label completeness) and {@link
 * #DEAD_LETTERS} (empty id, negative counts, days before 1970): bad rows never crash the stage,
 * each is kept with its reason and counted.
 *
 * <p>Why fold here rather than hand each row to {@code Combine.perKey}: on Flink the lifted partial
 * combine sorts its input by serialized key (three quarters of the stage's CPU in a profile, with
 * ~22 rows per entity). Folding first sends one accumulator per entity and bundle instead; the map
 * is bounded ({@link #BUDGET_BYTES}) and flushed when full, so memory does not grow with the
 * entities. Why read files in the same step: as elements, each row paid the runner's per-element
 * costs (on Flink a metrics refresh after every record read from a source) several times over what
 * parsing and folding it costs.
 */
public final class FoldEntityDays<InputT>
    extends PTransform<PCollection<InputT>, PCollectionTuple> {
  public static final String SOURCE = "features/entity_days";
  public static final TupleTag<KV<String, WindowAccumulator>> PARTIALS = new TupleTag<>() {};
  public static final TupleTag<Integer> LAST_DAYS = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  /** Heap for the accumulators a bundle holds before it flushes them downstream. */
  static final long BUDGET_BYTES = 64L << 20;

  private final FoldFn<InputT> fn;

  private FoldEntityDays(FoldFn<InputT> fn) {
    this.fn = fn;
  }

  /**
   * Folds entity-day elements, at most {@code maxEntities} per bundle before a flush (0: by
   * budget).
   */
  static FoldEntityDays<EntityDay> rows(WindowFolder folder, int maxEntities) {
    return new FoldEntityDays<>(new RowsFn(folder, bound(folder, maxEntities)));
  }

  /**
   * Folds the entity-days of TFRecord files, at most {@code maxEntities} per bundle (0: by budget).
   */
  static FoldEntityDays<MatchResult.Metadata> files(WindowFolder folder, int maxEntities) {
    return new FoldEntityDays<>(new FilesFn(folder, bound(folder, maxEntities)));
  }

  private static int bound(WindowFolder folder, int maxEntities) {
    return maxEntities > 0
        ? maxEntities
        : (int) Math.max(1_024, BUDGET_BYTES / folder.accumulatorBytes());
  }

  @Override
  public PCollectionTuple expand(PCollection<InputT> input) {
    PCollectionTuple out =
        input.apply(
            "CheckAndFold",
            ParDo.of(fn).withOutputTags(PARTIALS, TupleTagList.of(LAST_DAYS).and(DEAD_LETTERS)));
    out.get(PARTIALS).setCoder(KvCoder.of(StringUtf8Coder.of(), WindowAccumulator.Coder.of()));
    out.get(LAST_DAYS).setCoder(VarIntCoder.of());
    out.get(DEAD_LETTERS).setCoder(ProtoCoder.of(DeadLetter.class));
    return out;
  }

  /** Folds entity-day elements. */
  private static final class RowsFn extends FoldFn<EntityDay> {
    private static final long serialVersionUID = 1L;

    RowsFn(WindowFolder folder, int maxEntities) {
      super(folder, maxEntities);
    }

    @ProcessElement
    public void process(@Element EntityDay row, MultiOutputReceiver out) {
      fold(row, out);
    }
  }

  /**
   * Folds every entity-day of a TFRecord file; a corrupt file fails the stage naming the file (exit
   * 2).
   */
  private static final class FilesFn extends FoldFn<MatchResult.Metadata> {
    private static final long serialVersionUID = 1L;

    FilesFn(WindowFolder folder, int maxEntities) {
      super(folder, maxEntities);
    }

    @ProcessElement
    public void process(@Element MatchResult.Metadata file, MultiOutputReceiver out) {
      try {
        TfRecordFiles.readFile(
            file.resourceId(),
            (bytes, length, name) -> fold(EntityDay.parser().parseFrom(bytes, 0, length), out));
      } catch (RunFailedException e) {
        throw new InvalidInputException(e.getMessage(), e);
      }
    }
  }

  /** The per-bundle fold both inputs share: validate, dead-letter, fold, flush when full. */
  private abstract static class FoldFn<InputT> extends DoFn<InputT, KV<String, WindowAccumulator>> {
    private static final long serialVersionUID = 1L;
    private final WindowFolder folder;
    private final int maxEntities;
    // Counted per bundle and added at its end: a metric update per row was a visible share of the
    // per-row cost (a thread-local and a map lookup each).
    private final Counter read = Metrics.counter(FeaturesPipeline.METRICS, "entity_days_read");
    private final Counter dead =
        Metrics.counter(FeaturesPipeline.METRICS, "entity_days_dead_letter");
    private final Counter outside =
        Metrics.counter(FeaturesPipeline.METRICS, "entity_days_outside_windows");
    private final Counter flushed =
        Metrics.counter(FeaturesPipeline.METRICS, "partial_accumulators");
    private final Distribution days = Metrics.distribution(FeaturesPipeline.METRICS, "entity_day");
    private transient Map<String, WindowAccumulator> partials;
    private transient BundleTally tally;

    FoldFn(WindowFolder folder, int maxEntities) {
      this.folder = folder;
      this.maxEntities = maxEntities;
    }

    @StartBundle
    public void startBundle() {
      partials = new HashMap<>();
      tally = new BundleTally();
    }

    final void fold(EntityDay row, MultiOutputReceiver out) {
      tally.read++;
      long[] measures = Measure.of(row);
      Problem problem = problem(row, measures);
      if (problem != null) {
        tally.dead++;
        Metrics.counter(FeaturesPipeline.METRICS, "dead_letter_" + problem.reason().name()).inc();
        out.get(DEAD_LETTERS).output(deadLetter(row, problem));
        return;
      }
      int day = row.getDay();
      tally.day(day);
      if (!folder.feeds(day)) {
        tally.outside++;
        return;
      }
      String entity = row.getEntityId();
      WindowAccumulator acc = partials.get(entity);
      if (acc == null) {
        if (partials.size() >= maxEntities) {
          flush(out.get(PARTIALS)::output);
        }
        acc = folder.create();
        partials.put(entity, acc);
      }
      folder.add(acc, day, row.getSignupDay(), measures);
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      flush(
          kv ->
              context.output(
                  PARTIALS, kv, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE));
      if (tally.days > 0) {
        context.output(
            LAST_DAYS, tally.maxDay, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
        days.update(tally.daySum, tally.days, tally.minDay, tally.maxDay);
      }
      incIfAny(read, tally.read);
      incIfAny(dead, tally.dead);
      incIfAny(outside, tally.outside);
    }

    /** Emits the held accumulators; a new map, since the emitted ones now belong downstream. */
    private void flush(Consumer<KV<String, WindowAccumulator>> sink) {
      partials.forEach((entity, acc) -> sink.accept(KV.of(entity, acc)));
      incIfAny(flushed, partials.size());
      partials = new HashMap<>();
    }

    /** A counter that was never incremented stays absent from the run's counters. */
    private static void incIfAny(Counter counter, long n) {
      if (n > 0) {
        counter.inc(n);
      }
    }

    private static Problem problem(EntityDay row, long[] measures) {
      if (row.getEntityId().isBlank()) {
        return new Problem(
            DeadLetter.Reason.NULL_ID, "entity_id is empty (a NULL user id upstream)");
      }
      if (row.getDay() < 0 || row.getSignupDay() < 0) {
        return new Problem(
            DeadLetter.Reason.INVALID_DAY,
            "day "
                + row.getDay()
                + " or signup_day "
                + row.getSignupDay()
                + " is before 1970-01-01 (a NULL or broken timestamp upstream)");
      }
      for (Measure m : Measure.values()) {
        if (measures[m.ordinal()] < 0) {
          return new Problem(
              DeadLetter.Reason.NEGATIVE_COUNT,
              m.name().toLowerCase(Locale.ROOT) + " is negative (" + measures[m.ordinal()] + ")");
        }
      }
      if (row.getPurchasesAtMidnight() > row.getPurchases()
          || row.getSessionsAtMidnight() > row.getSessions()) {
        return new Problem(
            DeadLetter.Reason.INCONSISTENT_COUNT,
            "purchases_at_midnight "
                + row.getPurchasesAtMidnight()
                + " or sessions_at_midnight "
                + row.getSessionsAtMidnight()
                + " exceeds the day's purchases "
                + row.getPurchases()
                + " or sessions "
                + row.getSessions());
      }
      return null;
    }

    private static DeadLetter deadLetter(EntityDay row, Problem problem) {
      DeadLetter.Builder letter =
          DeadLetter.newBuilder()
              .setSource(SOURCE)
              .setReasonCode(problem.reason())
              .setReason(problem.sentence());
      for (FieldDescriptor field : EntityDay.getDescriptor().getFields()) {
        letter.putOriginal(field.getName(), String.valueOf(row.getField(field)));
      }
      return letter.build();
    }
  }

  /** A bundle's row counts and valid-day range, reported once at the end of the bundle. */
  private static final class BundleTally {
    long read;
    long dead;
    long outside;
    long days;
    long daySum;
    int minDay = Integer.MAX_VALUE;
    int maxDay = Integer.MIN_VALUE;

    void day(int day) {
      days++;
      daySum += day;
      minDay = Math.min(minDay, day);
      maxDay = Math.max(maxDay, day);
    }
  }

  private record Problem(DeadLetter.Reason reason, String sentence) {}
}
