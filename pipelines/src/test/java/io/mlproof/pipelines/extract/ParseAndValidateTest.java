package io.mlproof.pipelines.extract;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.mlproof.pipelines.core.StageRun;
import io.mlproof.pipelines.warehouse.ResultRow;
import io.mlproof.pipelines.warehouse.ResultRowCoder;
import io.mlproof.proto.v1.DeadLetter;
import io.mlproof.proto.v1.EntityDay;
import io.mlproof.proto.v1.Event;
import io.mlproof.proto.v1.EventType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;

/**
 * {@link ParseAndValidate} on hand-made rows: each bad-row kind to its dead letter, counters exact.
 */
class ParseAndValidateTest {

  final transient TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(true);

  private static final ExtractWindow JAN_7 =
      ExtractWindow.of(
          Instant.parse("2024-01-07T00:00:00Z"), Instant.parse("2024-01-08T00:00:00Z"));

  private static ResultRow event(Long id, Long user, String type, String at, String amount) {
    return ResultRow.builder()
        .set("event_id", id)
        .set("user_id", user)
        .set("event_type", type)
        .set("event_at", at == null ? null : Instant.parse(at))
        .set("amount", amount == null ? null : new BigDecimal(amount))
        .build();
  }

  /** Two good events and one of every bad kind, each with its reason. */
  private static List<ResultRow> mixedEvents() {
    return List.of(
        event(1L, 7L, "purchase", "2024-01-07T12:00:00Z", "10.50"), // good
        event(2L, 7L, "page_view", "2024-01-07T00:00:00Z", null), // good, first instant
        event(3L, null, "page_view", "2024-01-07T12:00:00Z", null), // NULL_ID (user)
        event(null, 7L, "page_view", "2024-01-07T12:00:00Z", null), // NULL_ID (event)
        event(4L, 7L, "purchase", "2024-01-07T12:00:00Z", "-0.01"), // NEGATIVE_AMOUNT
        event(5L, 7L, "refund", "2024-01-07T12:00:00Z", null), // UNKNOWN_EVENT_TYPE
        event(6L, 7L, null, "2024-01-07T12:00:00Z", null), // UNKNOWN_EVENT_TYPE
        event(7L, 7L, "page_view", "2024-01-08T00:00:00Z", null), // OUTSIDE_WINDOW
        event(8L, 7L, "page_view", "2024-01-06T23:59:59.999999Z", null), // OUTSIDE_WINDOW
        event(9L, 7L, "page_view", null, null), // MISSING_FIELD
        event(10L, 7L, "purchase", "2024-01-07T12:00:00Z", null) // MISSING_FIELD
        );
  }

  private static final String[] GOOD_EVENTS = {
    Event.newBuilder()
        .setEventId(1)
        .setEntityId("7")
        .setEventType(EventType.PURCHASE)
        .setEventTimeMicros(1704628800000000L)
        .setAmountCents(1050)
        .build()
        .toString(),
    Event.newBuilder()
        .setEventId(2)
        .setEntityId("7")
        .setEventType(EventType.PAGE_VIEW)
        .setEventTimeMicros(1704585600000000L)
        .build()
        .toString()
  };

  private static final String[] BAD_EVENTS = {
    "3 NULL_ID: user_id is NULL",
    "<null> NULL_ID: event_id is NULL",
    "4 NEGATIVE_AMOUNT: amount -0.01 is negative",
    "5 UNKNOWN_EVENT_TYPE: event_type 'refund' is not one of add_to_cart, page_view, purchase, session_start",
    "6 UNKNOWN_EVENT_TYPE: event_type is NULL (expected one of add_to_cart, page_view, purchase, session_start)",
    "7 OUTSIDE_WINDOW: event_at 2024-01-08T00:00:00Z is outside the data interval"
        + " [2024-01-07T00:00:00Z, 2024-01-08T00:00:00Z)",
    "8 OUTSIDE_WINDOW: event_at 2024-01-06T23:59:59.999999Z is outside the data interval"
        + " [2024-01-07T00:00:00Z, 2024-01-08T00:00:00Z)",
    "9 MISSING_FIELD: event_at is NULL",
    "10 MISSING_FIELD: amount is NULL"
  };

  private static final Map<String, Long> EVENT_COUNTERS =
      Map.of(
          "rows",
          11L,
          "records",
          2L,
          "bad_rows",
          9L,
          "dead_letters",
          9L,
          "bad_null_id",
          2L,
          "bad_negative_amount",
          1L,
          "bad_unknown_event_type",
          2L,
          "bad_outside_window",
          2L,
          "bad_missing_field",
          2L);

  /** An outcome's bytes parsed; Beam's function types cannot throw, so a bad parse fails here. */
  private static <M extends Message> M parsed(Outcome outcome, Parser<M> parser) {
    try {
      return parser.parseFrom(outcome.bytes());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String eventDeadLetter(DeadLetter d) {
    return d.getOriginalMap().get("event_id") + " " + d.getReasonCode() + ": " + d.getReason();
  }

  @Test
  void eachBadEventGoesToItsDeadLetterAndCounter() {
    ParseAndValidate<?> parse = ParseAndValidate.of(RecordType.EVENTS, JAN_7);
    PCollectionTuple out =
        p.apply(Create.of(mixedEvents()).withCoder(ResultRowCoder.of())).apply(parse);

    PAssert.that(
            out.get(parse.recordsTag())
                .apply(
                    "RecordsAsText",
                    MapElements.into(TypeDescriptors.strings()).via(Object::toString)))
        .containsInAnyOrder(GOOD_EVENTS);
    PAssert.that(
            out.get(parse.deadLettersTag())
                .apply(
                    "DeadLettersAsText",
                    MapElements.into(TypeDescriptors.strings())
                        .via(ParseAndValidateTest::eventDeadLetter)))
        .containsInAnyOrder(BAD_EVENTS);
    PAssert.that(out.get(parse.deadLettersTag()))
        .satisfies(
            dead -> {
              DeadLetter first =
                  StreamSupport.stream(dead.spliterator(), false)
                      .filter(d -> d.getReasonCode() == DeadLetter.Reason.NEGATIVE_AMOUNT)
                      .findFirst()
                      .orElseThrow();
              assertThat(first.getSource()).isEqualTo("extract/events");
              assertThat(first.getOriginalMap())
                  .isEqualTo(
                      Map.of(
                          "event_id",
                          "4",
                          "user_id",
                          "7",
                          "event_type",
                          "purchase",
                          "event_at",
                          "2024-01-07T12:00:00Z",
                          "amount",
                          "-0.01"));
              return null;
            });

    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertThat(StageRun.counters(result)).containsAllEntriesOf(EVENT_COUNTERS);
  }

  private static ResultRow day(
      Long user,
      String date,
      String signup,
      long raw,
      long sessions,
      String revenue,
      long badNullId,
      long badNegative) {
    return ResultRow.builder()
        .set("user_id", user)
        .set("activity_date", date == null ? null : LocalDate.parse(date))
        .set("signup_date", signup == null ? null : LocalDate.parse(signup))
        .set("raw_rows", raw)
        .set("sessions", sessions)
        .set("page_views", 0L)
        .set("add_to_carts", 0L)
        .set("purchases", 0L)
        .set("revenue", new BigDecimal(revenue))
        .set("failed_payments", 0L)
        .set("refunds", 0L)
        .set("purchases_at_midnight", 0L)
        .set("sessions_at_midnight", 0L)
        .set("bad_null_id", badNullId)
        .set("bad_negative_amount", badNegative)
        .build();
  }

  @Test
  void entityDaysCountBadRawRowsAndRejectRowsThatCannotBeRecords() {
    ParseAndValidate<?> parse = ParseAndValidate.of(RecordType.ENTITY_DAYS, JAN_7);
    PCollectionTuple out =
        p.apply(
                Create.of(
                        day(
                            7L,
                            "2024-01-07",
                            "2024-01-01",
                            5,
                            3,
                            "12.50",
                            0,
                            2), // record + 2 NEGATIVE_AMOUNT
                        day(null, "2024-01-07", null, 4, 0, "0", 4, 0), // 4 NULL_ID, no record
                        day(8L, "2024-01-08", "2024-01-01", 2, 2, "0", 0, 0), // 2 OUTSIDE_WINDOW
                        day(
                            9L,
                            "2024-01-07",
                            null,
                            3,
                            1,
                            "1.00",
                            0,
                            1), // 1 NEGATIVE_AMOUNT + 2 UNKNOWN_ENTITY
                        day(10L, null, "2024-01-01", 1, 0, "0", 0, 0)) // 1 MISSING_FIELD
                    .withCoder(ResultRowCoder.of()))
            .apply(parse);

    PAssert.that(
            out.get(parse.recordsTag())
                .apply(
                    "RecordsAsText",
                    MapElements.into(TypeDescriptors.strings()).via(Object::toString)))
        .containsInAnyOrder(
            EntityDay.newBuilder()
                .setEntityId("7")
                .setDay(19729)
                .setSessions(3)
                .setRevenueCents(1250)
                .setSignupDay(19723)
                .build()
                .toString());
    PAssert.that(
            out.get(parse.deadLettersTag())
                .apply(
                    "DeadLettersAsText",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            (DeadLetter d) ->
                                d.getOriginalMap().get("user_id") + " " + d.getReasonCode())))
        .containsInAnyOrder(
            "7 NEGATIVE_AMOUNT",
            "<null> NULL_ID",
            "8 OUTSIDE_WINDOW",
            "9 NEGATIVE_AMOUNT",
            "9 UNKNOWN_ENTITY",
            "10 MISSING_FIELD");

    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertThat(StageRun.counters(result))
        .containsAllEntriesOf(
            Map.of(
                "rows",
                15L,
                "records",
                1L,
                "bad_rows",
                12L,
                "dead_letters",
                6L,
                "bad_null_id",
                4L,
                "bad_negative_amount",
                3L,
                "bad_outside_window",
                2L,
                "bad_unknown_entity",
                2L,
                "bad_missing_field",
                1L));
  }

  @Test
  void serializedRecordsAndDeadLettersLeaveAsOneOutputWithTheSameCounters() {
    ParseAndValidate<?> parse = ParseAndValidate.serialized(RecordType.EVENTS, JAN_7);
    PCollectionTuple out =
        p.apply(Create.of(mixedEvents()).withCoder(ResultRowCoder.of())).apply(parse);

    // One output only: on Flink the parse step then chains with the file write.
    assertThat(out.getAll().keySet()).containsExactly(parse.outcomesTag());
    PCollection<Outcome> outcomes = out.get(parse.outcomesTag());
    PAssert.that(
            outcomes
                .apply("OnlyRecords", Filter.by((Outcome o) -> !o.deadLetter()))
                .apply(
                    "RecordsAsText",
                    MapElements.into(TypeDescriptors.strings())
                        .via((Outcome o) -> parsed(o, Event.parser()).toString())))
        .containsInAnyOrder(GOOD_EVENTS);
    PAssert.that(
            outcomes
                .apply("OnlyDeadLetters", Filter.by(Outcome::deadLetter))
                .apply(
                    "DeadLettersAsText",
                    MapElements.into(TypeDescriptors.strings())
                        .via((Outcome o) -> eventDeadLetter(parsed(o, DeadLetter.parser())))))
        .containsInAnyOrder(BAD_EVENTS);
    PAssert.that(
            outcomes.apply(
                "Destinations",
                MapElements.into(TypeDescriptors.strings()).via(Outcome::destination)))
        .satisfies(
            destinations -> {
              assertThat(destinations)
                  .containsExactlyInAnyOrder(
                      "records",
                      "records",
                      "dead_letter",
                      "dead_letter",
                      "dead_letter",
                      "dead_letter",
                      "dead_letter",
                      "dead_letter",
                      "dead_letter",
                      "dead_letter",
                      "dead_letter");
              return null;
            });

    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertThat(StageRun.counters(result)).containsAllEntriesOf(EVENT_COUNTERS);
  }
}
