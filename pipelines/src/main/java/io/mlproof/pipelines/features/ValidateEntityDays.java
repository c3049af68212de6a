package io.mlproof.pipelines.features;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.mlproof.proto.v1.DeadLetter;
import io.mlproof.proto.v1.EntityDay;
import java.util.Locale;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
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
 * Checks entity-days and keys the good ones for the combine, in one step so the parsed proto never
 * crosses an operator boundary (re-encoding it was a quarter of the Flink profile). Outputs:
 * {@link #KEYED} rows inside some cutoff's window, {@link #LAST_DAYS} (the last valid day of each
 * bundle, for label completeness), and {@link #DEAD_LETTERS} (empty id, negative counts, days
 * before 1970): bad rows never crash the stage, and each is kept with its reason and counted.
 */
public final class ValidateEntityDays extends PTransform<PCollection<EntityDay>, PCollectionTuple> {
  public static final String SOURCE = "features/entity_days";
  public static final TupleTag<KV<String, DayRow>> KEYED = new TupleTag<>() {};
  public static final TupleTag<Integer> LAST_DAYS = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  /** Why a row was rejected; the names are the dead letters' stable reason codes. */
  public enum Reason {
    NULL_ID,
    NEGATIVE_COUNT,
    INVALID_DAY
  }

  private final int[] cutoffs;
  private final int lookback;
  private final int horizon;

  private ValidateEntityDays(int[] cutoffs, int lookback, int horizon) {
    this.cutoffs = cutoffs;
    this.lookback = lookback;
    this.horizon = horizon;
  }

  /** For sorted, distinct {@code cutoffs} and the plan's lookback and horizon. */
  public static ValidateEntityDays keyedFor(int[] cutoffs, int lookback, int horizon) {
    return new ValidateEntityDays(cutoffs, lookback, horizon);
  }

  @Override
  public PCollectionTuple expand(PCollection<EntityDay> rows) {
    PCollectionTuple out = rows.apply("CheckAndKey", ParDo.of(new CheckFn(cutoffs, lookback, horizon))
        .withOutputTags(KEYED, TupleTagList.of(LAST_DAYS).and(DEAD_LETTERS)));
    out.get(KEYED).setCoder(KvCoder.of(StringUtf8Coder.of(), DayRow.Coder.of()));
    out.get(LAST_DAYS).setCoder(VarIntCoder.of());
    out.get(DEAD_LETTERS).setCoder(ProtoCoder.of(DeadLetter.class));
    return out;
  }

  private static final class CheckFn extends DoFn<EntityDay, KV<String, DayRow>> {
    private static final long serialVersionUID = 1L;
    private final int[] cutoffs;
    private final int lookback;
    private final int horizon;
    private final Counter read = Metrics.counter(FeaturesPipeline.METRICS, "entity_days_read");
    private final Counter dead = Metrics.counter(FeaturesPipeline.METRICS, "entity_days_dead_letter");
    private final Counter outside = Metrics.counter(FeaturesPipeline.METRICS, "entity_days_outside_windows");
    private final Distribution days = Metrics.distribution(FeaturesPipeline.METRICS, "entity_day");
    private transient int lastDay;

    CheckFn(int[] cutoffs, int lookback, int horizon) {
      this.cutoffs = cutoffs;
      this.lookback = lookback;
      this.horizon = horizon;
    }

    @StartBundle
    public void startBundle() {
      lastDay = Integer.MIN_VALUE;
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      if (lastDay != Integer.MIN_VALUE) {
        context.output(LAST_DAYS, lastDay, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
      }
    }

    @ProcessElement
    public void process(@Element EntityDay row, MultiOutputReceiver out) {
      read.inc();
      Problem problem = problem(row);
      if (problem == null) {
        int day = row.getDay();
        days.update(day);
        lastDay = Math.max(lastDay, day);
        int c = AggregateWindowsFn.firstCutoff(cutoffs, day, horizon);
        if (c < cutoffs.length && cutoffs[c] <= day + lookback) {
          out.get(KEYED).output(KV.of(row.getEntityId(), new DayRow(day, row.getSignupDay(), Measure.of(row))));
        } else {
          outside.inc();
        }
        return;
      }
      dead.inc();
      Metrics.counter(FeaturesPipeline.METRICS, "dead_letter_" + problem.reason().name()).inc();
      DeadLetter.Builder letter = DeadLetter.newBuilder()
          .setSource(SOURCE)
          .setReasonCode(problem.reason().name())
          .setReason(problem.sentence());
      for (FieldDescriptor field : EntityDay.getDescriptor().getFields()) {
        letter.putOriginal(field.getName(), String.valueOf(row.getField(field)));
      }
      out.get(DEAD_LETTERS).output(letter.build());
    }

    private static Problem problem(EntityDay row) {
      if (row.getEntityId().isBlank()) {
        return new Problem(Reason.NULL_ID, "entity_id is empty (a NULL user id upstream)");
      }
      if (row.getDay() < 0 || row.getSignupDay() < 0) {
        return new Problem(Reason.INVALID_DAY, "day " + row.getDay() + " or signup_day "
            + row.getSignupDay() + " is before 1970-01-01 (a NULL or broken timestamp upstream)");
      }
      long[] measures = Measure.of(row);
      for (Measure m : Measure.values()) {
        if (measures[m.ordinal()] < 0) {
          return new Problem(Reason.NEGATIVE_COUNT,
              m.name().toLowerCase(Locale.ROOT) + " is negative (" + measures[m.ordinal()] + ")");
        }
      }
      return null;
    }
  }

  private record Problem(Reason reason, String sentence) {}
}
