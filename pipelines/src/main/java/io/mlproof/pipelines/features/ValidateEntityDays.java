package io.mlproof.pipelines.features;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.mlproof.proto.v1.DeadLetter;
import io.mlproof.proto.v1.EntityDay;
import java.util.Locale;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Splits entity-days into usable rows and dead letters (empty id, negative counts, days before
 * 1970): bad rows never crash the stage, and each is kept with its reason and counted.
 */
public final class ValidateEntityDays extends PTransform<PCollection<EntityDay>, PCollectionTuple> {
  public static final String SOURCE = "features/entity_days";
  public static final TupleTag<EntityDay> VALID = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  /** Why a row was rejected; the names are the dead letters' stable reason codes. */
  public enum Reason {
    NULL_ID,
    NEGATIVE_COUNT,
    INVALID_DAY
  }

  public static ValidateEntityDays create() {
    return new ValidateEntityDays();
  }

  @Override
  public PCollectionTuple expand(PCollection<EntityDay> rows) {
    PCollectionTuple out = rows.apply("CheckRow",
        ParDo.of(new CheckFn()).withOutputTags(VALID, TupleTagList.of(DEAD_LETTERS)));
    out.get(VALID).setCoder(ProtoCoder.of(EntityDay.class));
    out.get(DEAD_LETTERS).setCoder(ProtoCoder.of(DeadLetter.class));
    return out;
  }

  private static final class CheckFn extends DoFn<EntityDay, EntityDay> {
    private static final long serialVersionUID = 1L;
    private final Counter read = Metrics.counter(FeaturesPipeline.METRICS, "entity_days_read");
    private final Counter dead = Metrics.counter(FeaturesPipeline.METRICS, "entity_days_dead_letter");
    private final Distribution days = Metrics.distribution(FeaturesPipeline.METRICS, "entity_day");

    @ProcessElement
    public void process(@Element EntityDay row, MultiOutputReceiver out) {
      read.inc();
      Problem problem = problem(row);
      if (problem == null) {
        days.update(row.getDay());
        out.get(VALID).output(row);
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
