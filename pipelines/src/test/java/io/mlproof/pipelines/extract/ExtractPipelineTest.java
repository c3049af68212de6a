package io.mlproof.pipelines.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.warehouse.DuckDbFixture;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.DeadLetter;
import io.mlproof.proto.v1.EntityDay;
import io.mlproof.proto.v1.Event;
import io.mlproof.proto.v1.EventType;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.Payment;
import io.mlproof.proto.v1.User;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole extract runs on the Direct runner against {@link ExtractFixture}'s DuckDB file. */
class ExtractPipelineTest {

  @TempDir Path tmp;
  private Path warehouse;
  private Path out;

  @BeforeEach
  void setUp() {
    warehouse = ExtractFixture.create(tmp.resolve("w.duckdb"));
    out = tmp.resolve("run/extract");
  }

  private Manifest extract(String recordType, String... extra) {
    return ExtractPipeline.run(
        options(recordType, extra), Warehouse.parse(DuckDbFixture.spec(warehouse)), System.out);
  }

  private ExtractOptions options(String recordType, String... extra) {
    // Later arguments replace earlier ones of the same name, so tests can override a default.
    Map<String, String> args = new LinkedHashMap<>();
    for (String arg :
        concat(
            List.of(
                "--warehouse=" + DuckDbFixture.spec(warehouse),
                "--output=" + out,
                "--recordType=" + recordType,
                "--logicalDate=" + ExtractFixture.DS,
                "--dagId=demo",
                "--taskId=extract"),
            List.of(extra))) {
      args.put(arg.split("=", 2)[0], arg);
    }
    return ExtractPipeline.parse(args.values().toArray(String[]::new));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static long micros(String isoInstant) {
    java.time.Instant instant = java.time.Instant.parse(isoInstant);
    return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
  }

  @Test
  void eventsRunCommitsRecordsDeadLettersAndManifest() throws Exception {
    // 10 rows read (events 9 and 10 lie outside the interval), 5 bad: exactly 0.5 passes.
    Manifest manifest = extract("events", "--maxBadFraction=0.5");

    List<Event> events = TfRecordFiles.read(out, "records-*.tfrecord", Event.parser());
    assertThat(events)
        .containsExactlyInAnyOrder(
            event(1, "1", EventType.SESSION_START, "2024-01-07T08:00:00Z", 0),
            event(2, "1", EventType.PAGE_VIEW, "2024-01-07T08:01:00Z", 0),
            event(3, "1", EventType.ADD_TO_CART, "2024-01-07T08:02:00Z", 0),
            event(4, "1", EventType.PURCHASE, "2024-01-07T08:03:00.250Z", 1999),
            event(5, "2", EventType.SESSION_START, "2024-01-07T23:59:59.999999Z", 0));

    List<DeadLetter> dead = TfRecordFiles.read(out, "dead_letter-*.tfrecord", DeadLetter.parser());
    assertThat(
            dead.stream()
                .collect(
                    Collectors.toMap(
                        d -> d.getOriginalMap().get("event_id"), d -> d.getReasonCode().name())))
        .isEqualTo(
            Map.of(
                "6",
                "NULL_ID",
                "7",
                "NEGATIVE_AMOUNT",
                "8",
                "UNKNOWN_EVENT_TYPE",
                "11",
                "MISSING_FIELD",
                "12",
                "MISSING_FIELD"));
    DeadLetter negative =
        dead.stream()
            .filter(d -> d.getReasonCode() == DeadLetter.Reason.NEGATIVE_AMOUNT)
            .findFirst()
            .orElseThrow();
    assertThat(negative.getSource()).isEqualTo("extract/events");
    assertThat(negative.getReason()).isEqualTo("amount -5.00 is negative");
    assertThat(negative.getOriginalMap())
        .isEqualTo(
            Map.of(
                "event_id",
                "7",
                "user_id",
                "2",
                "event_type",
                "purchase",
                "event_at",
                "2024-01-07T10:00:00Z",
                "amount",
                "-5.00"));
    DeadLetter unknown =
        dead.stream()
            .filter(d -> d.getReasonCode() == DeadLetter.Reason.UNKNOWN_EVENT_TYPE)
            .findFirst()
            .orElseThrow();
    assertThat(unknown.getReason())
        .isEqualTo(
            "event_type 'logout' is not one of add_to_cart, page_view, purchase, session_start");

    assertThat(manifest.getCountersMap())
        .containsAllEntriesOf(
            Map.of(
                "rows",
                10L,
                "records",
                5L,
                "bad_rows",
                5L,
                "dead_letters",
                5L,
                "bad_null_id",
                1L,
                "bad_negative_amount",
                1L,
                "bad_unknown_event_type",
                1L,
                "bad_missing_field",
                2L));
    assertThat(manifest.getPipeline()).isEqualTo("extract");
    assertThat(manifest.getDagId()).isEqualTo("demo");
    assertThat(manifest.getTaskId()).isEqualTo("extract");
    assertThat(manifest.getLogicalDate()).isEqualTo("2024-01-07");
    assertThat(manifest.getRecordType()).isEqualTo("mlproof.v1.Event");
    assertThat(manifest.getSchemaVersion()).isEqualTo(TaskOutput.MANIFEST_SCHEMA_VERSION);
    assertThat(manifest.getRunner()).isEqualTo("DirectRunner");
    assertThat(manifest.getQuerySha256())
        .hasSize(64)
        .isEqualTo(
            Warehouse.parse(DuckDbFixture.spec(warehouse))
                .render(
                    Warehouse.parse(DuckDbFixture.spec(warehouse)).template("extract/events.sql"),
                    io.mlproof.pipelines.sql.TemplateContext.daily(
                        java.time.LocalDate.parse(ExtractFixture.DS)))
                .sha256());
    assertThat(manifest.getFilesList())
        .extracting(f -> f.getName() + ":" + f.getPath() + ":" + f.getRecords())
        .containsExactly("records:records-*.tfrecord:5", "dead_letter:dead_letter-*.tfrecord:5");
    assertThat(manifest.getAttributesMap())
        .containsEntry("template", "extract/events.sql")
        .containsEntry("data_interval_start", "2024-01-07T00:00:00Z")
        .containsEntry("data_interval_end", "2024-01-08T00:00:00Z")
        .containsEntry("bad_fraction", "0.5");
    // What the features stage will call: the manifest resolves the records' files.
    assertThat(TaskOutput.filePattern(out.toString(), "records"))
        .isEqualTo(out.resolve("records-*.tfrecord").toString());
    assertThat(hiddenEntries(out)).isEmpty();
  }

  private static Event event(long id, String entity, EventType type, String at, long cents) {
    return Event.newBuilder()
        .setEventId(id)
        .setEntityId(entity)
        .setEventType(type)
        .setEventTimeMicros(micros(at))
        .setAmountCents(cents)
        .build();
  }

  @Test
  void entityDaysRollupIsExactAndCountsBadRawRows() {
    Manifest manifest = extract("entity_days", "--maxBadFraction=1");

    // Worked out by hand from ExtractFixture: user 1 has events 1-4 and payments 1 (succeeded
    // 19.99) and 3 (refunded) on the day; user 2 event 5 and payment 2 (failed).
    assertThat(TfRecordFiles.read(out, "records-*.tfrecord", EntityDay.parser()))
        .containsExactlyInAnyOrder(
            EntityDay.newBuilder()
                .setEntityId("1")
                .setDay(ExtractFixture.DAY)
                .setSessions(1)
                .setPageViews(1)
                .setAddToCarts(1)
                .setPurchases(1)
                .setRevenueCents(1999)
                .setFailedPayments(0)
                .setRefunds(1)
                .setSignupDay(19723)
                .build(),
            EntityDay.newBuilder()
                .setEntityId("2")
                .setDay(ExtractFixture.DAY)
                .setSessions(1)
                .setFailedPayments(1)
                .setSignupDay(19725)
                .build());
    // 17 raw rows: 10 events and 7 payments in (or without) the interval; 9 bad, 2 records.
    assertThat(manifest.getCountersMap())
        .containsAllEntriesOf(
            Map.of(
                "rows",
                17L,
                "records",
                2L,
                "bad_rows",
                9L,
                "dead_letters",
                7L,
                "bad_null_id",
                2L,
                "bad_missing_field",
                2L,
                "bad_negative_amount",
                2L,
                "bad_unknown_event_type",
                1L,
                "bad_unknown_status",
                1L,
                "bad_unknown_entity",
                1L));
    List<String> dead =
        TfRecordFiles.read(out, "dead_letter-*.tfrecord", DeadLetter.parser()).stream()
            .map(
                d ->
                    d.getOriginalMap().get("user_id")
                        + "/"
                        + d.getOriginalMap().get("activity_date")
                        + "/"
                        + d.getReasonCode())
            .sorted()
            .toList();
    assertThat(dead)
        .containsExactly(
            "1/2024-01-07/MISSING_FIELD",
            "1/<null>/MISSING_FIELD",
            "2/2024-01-07/NEGATIVE_AMOUNT",
            "2/2024-01-07/UNKNOWN_EVENT_TYPE",
            "2/2024-01-07/UNKNOWN_STATUS",
            "4/2024-01-07/UNKNOWN_ENTITY",
            "<null>/2024-01-07/NULL_ID");
  }

  @Test
  void entityDaysFindTheSameBadRowsAsTheRawExtracts() {
    Map<String, Long> days = extract("entity_days", "--maxBadFraction=1").getCountersMap();
    Map<String, Long> events = extract("events", "--maxBadFraction=1").getCountersMap();
    Map<String, Long> payments = extract("payments", "--maxBadFraction=1").getCountersMap();

    assertThat(days.get("rows")).isEqualTo(events.get("rows") + payments.get("rows"));
    for (BadRowReason reason : BadRowReason.values()) {
      if (reason == BadRowReason.UNKNOWN_ENTITY) {
        continue; // only the rollup joins users
      }
      String counter = reason.counterName();
      assertThat(days.getOrDefault(counter, 0L))
          .as(counter)
          .isEqualTo(events.getOrDefault(counter, 0L) + payments.getOrDefault(counter, 0L));
    }
  }

  @Test
  void paymentsAndUsersRuns() {
    Manifest payments = extract("payments", "--maxBadFraction=1");
    assertThat(TfRecordFiles.read(out, "records-*.tfrecord", Payment.parser()))
        .extracting(
            p ->
                p.getPaymentId()
                    + ":"
                    + p.getEntityId()
                    + ":"
                    + p.getAmountCents()
                    + ":"
                    + p.getStatus())
        .containsExactlyInAnyOrder(
            "1:1:1999:SUCCEEDED", "2:2:500:FAILED", "3:1:1999:REFUNDED", "8:4:700:SUCCEEDED");
    assertThat(payments.getCountersMap())
        .containsAllEntriesOf(
            Map.of(
                "rows",
                7L,
                "records",
                4L,
                "bad_null_id",
                1L,
                "bad_unknown_status",
                1L,
                "bad_negative_amount",
                1L));

    Manifest users = extract("users", "--maxBadFraction=1");
    assertThat(TfRecordFiles.read(out, "records-*.tfrecord", User.parser()))
        .containsExactlyInAnyOrder(
            User.newBuilder()
                .setEntityId("1")
                .setSignupTimeMicros(micros("2024-01-01T10:00:00Z"))
                .setCountry("DE")
                .setAcquisitionChannel("organic")
                .build(),
            User.newBuilder()
                .setEntityId("2")
                .setSignupTimeMicros(micros("2024-01-03T00:00:00Z"))
                .setCountry("US")
                .setAcquisitionChannel("paid_search")
                .build());
    assertThat(users.getCountersMap())
        .containsAllEntriesOf(
            Map.of("rows", 4L, "records", 2L, "bad_null_id", 1L, "bad_missing_field", 1L));
  }

  @Test
  void rowsOutsideTheIntervalAreDeadLettered() throws Exception {
    // A template that forgets the time filter: the pipeline still keeps the interval.
    Path template =
        Files.writeString(
            tmp.resolve("all_events.sql"),
            "SELECT event_id, user_id, event_type, event_at, amount FROM {{ table('events') }}");
    Manifest manifest = extract("events", "--template=" + template, "--maxBadFraction=1");

    assertThat(manifest.getCountersMap())
        .containsEntry("rows", 12L)
        .containsEntry("bad_outside_window", 2L);
    assertThat(
            TfRecordFiles.read(out, "dead_letter-*.tfrecord", DeadLetter.parser()).stream()
                .filter(d -> d.getReasonCode() == DeadLetter.Reason.OUTSIDE_WINDOW)
                .map(DeadLetter::getReason)
                .sorted())
        .containsExactly(
            "event_at 2024-01-06T23:59:59Z is outside the data interval [2024-01-07T00:00:00Z, 2024-01-08T00:00:00Z)",
            "event_at 2024-01-08T00:00:00Z is outside the data interval [2024-01-07T00:00:00Z, 2024-01-08T00:00:00Z)");
    assertThat(manifest.getAttributesMap()).containsEntry("template", template.toString());
  }

  @Test
  void aRunWithoutDeadLettersOrWithoutRecordsStillHasBothFiles() throws Exception {
    // One write makes files only for the outputs it saw; the other gets the empty shard Beam's
    // TFRecordIO wrote for an empty output, so every glob in the manifest still matches a file.
    Path good =
        Files.writeString(
            tmp.resolve("good_events.sql"),
            "SELECT event_id, user_id, event_type, event_at, amount FROM {{ table('events') }}"
                + " WHERE event_id <= 5");
    Manifest clean = extract("events", "--template=" + good);
    assertThat(clean.getCountersOrDefault("records", -1)).isEqualTo(5);
    assertThat(clean.getCountersOrDefault("dead_letters", 0)).isZero();
    assertThat(TfRecordFiles.read(out, "records-*.tfrecord", Event.parser())).hasSize(5);
    assertThat(TfRecordFiles.names(out, "dead_letter-*"))
        .containsExactly("dead_letter-00000-of-00001.tfrecord");
    assertThat(out.resolve("dead_letter-00000-of-00001.tfrecord")).isEmptyFile();

    Path bad =
        Files.writeString(
            tmp.resolve("bad_events.sql"),
            "SELECT event_id, user_id, event_type, event_at, amount FROM {{ table('events') }}"
                + " WHERE event_id IN (7, 8)");
    Manifest allBad = extract("events", "--template=" + bad, "--maxBadFraction=1");
    assertThat(allBad.getCountersOrDefault("records", 0)).isZero();
    assertThat(allBad.getCountersOrDefault("dead_letters", -1)).isEqualTo(2);
    assertThat(TfRecordFiles.read(out, "dead_letter-*.tfrecord", DeadLetter.parser()))
        .extracting(d -> d.getReasonCode().name())
        .containsExactlyInAnyOrder("NEGATIVE_AMOUNT", "UNKNOWN_EVENT_TYPE");
    assertThat(TfRecordFiles.names(out, "records-*"))
        .containsExactly("records-00000-of-00001.tfrecord");
    assertThat(out.resolve("records-00000-of-00001.tfrecord")).isEmptyFile();
  }

  @Test
  void tooManyBadRowsFailsAndCommitsNothing() throws Exception {
    extract("events", "--maxBadFraction=0.5"); // a complete earlier attempt
    assertThat(out.resolve(TaskOutput.MANIFEST)).exists();

    assertThatThrownBy(() -> extract("events")) // default threshold 1%
        .isInstanceOf(RunFailedException.class)
        .hasMessage(
            "extract events: 5 of 10 rows were bad (50.00%: NULL_ID 1, MISSING_FIELD 2,"
                + " UNKNOWN_EVENT_TYPE 1, NEGATIVE_AMOUNT 1), above --maxBadFraction=0.01; nothing committed,"
                + " dead letters kept in "
                + out.resolve("dead_letter-*.tfrecord")
                + " (fix the data or raise --maxBadFraction)");

    assertThat(out.resolve(TaskOutput.MANIFEST)).doesNotExist();
    assertThat(TfRecordFiles.names(out, "records-*")).isEmpty();
    assertThat(TfRecordFiles.read(out, "dead_letter-*.tfrecord", DeadLetter.parser())).hasSize(5);
    assertThat(hiddenEntries(out)).isEmpty();
    assertThatThrownBy(() -> TaskOutput.read(out.toString()))
        .isInstanceOf(InvalidInputException.class);
  }

  private static List<Path> hiddenEntries(Path dir) throws Exception {
    try (Stream<Path> all = Files.walk(dir)) {
      // the owner file stays on purpose (it names the task and carries the lock); nothing else may
      return all.filter(p -> p.getFileName().toString().startsWith("."))
          .filter(p -> !p.getFileName().toString().equals(TaskOutput.OWNER))
          .sorted(Comparator.reverseOrder())
          .toList();
    }
  }

  @Test
  void dryRunPrintsTheCheckedQueryAndWritesNothing() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Manifest manifest =
        ExtractPipeline.run(
            options("events", "--dryRun"),
            Warehouse.parse(DuckDbFixture.spec(warehouse)),
            new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(manifest).isNull();
    assertThat(out).doesNotExist();
    String report = printed.toString(StandardCharsets.UTF_8);
    assertThat(report)
        .startsWith(
            "extract events: template extract/events.sql on duckdb:"
                + warehouse
                + " (dry run: nothing read or written)\n"
                + "data interval: [2024-01-07T00:00:00Z, 2024-01-08T00:00:00Z)\n")
        .contains(
            "columns: event_id BIGINT, user_id BIGINT, event_type VARCHAR, event_at TIMESTAMP, amount DECIMAL(12,2)\n")
        .contains("plan:\n")
        .contains(
            "WHERE (event_at >= TIMESTAMP '2024-01-07 00:00:00' AND event_at < TIMESTAMP '2024-01-08 00:00:00')");
  }

  @Test
  void missingWarehouseFileIsAOneLineError() {
    Path missing = tmp.resolve("nope.duckdb");
    assertThatThrownBy(
            () ->
                ExtractPipeline.run(
                    options("events"), Warehouse.parse("duckdb:" + missing), System.out))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "warehouse file "
                + missing
                + " does not exist: run `mlproof demo init` or pass"
                + " --warehouse=duckdb:<path to .duckdb file>");
    assertThat(missing).doesNotExist(); // DuckDB would have created an empty file
  }

  @Test
  void missingTableNamesItAndTheTablesThatExist() throws Exception {
    Path template =
        Files.writeString(
            tmp.resolve("orders.sql"),
            "SELECT event_id, user_id, event_type, event_at, amount FROM {{ table('orders') }}");
    assertThatThrownBy(() -> extract("events", "--template=" + template))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "table 'orders' does not exist in duckdb:"
                + warehouse
                + " (it has: events, payments, users): load it, or point --warehouse at the right warehouse");
  }

  @Test
  void malformedTemplatesAreOneLineErrors() throws Exception {
    Path unclosed =
        Files.writeString(tmp.resolve("unclosed.sql"), "SELECT *\nFROM {{ table('events') }\n");
    assertThatThrownBy(() -> extract("events", "--template=" + unclosed))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("template " + unclosed + " line 2: '{{' is not closed: close it with '}}'");

    Path badSql =
        Files.writeString(tmp.resolve("bad.sql"), "SELEC event_id FROM {{ table('events') }}");
    assertThatThrownBy(() -> extract("events", "--template=" + badSql))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template "
                + badSql
                + " does not run on DuckDB (Parser Error: syntax error at or near"
                + " \"SELEC\"): fix the template");

    Path fewColumns =
        Files.writeString(
            tmp.resolve("few.sql"), "SELECT event_id, user_id FROM {{ table('events') }}");
    assertThatThrownBy(() -> extract("events", "--template=" + fewColumns))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template "
                + fewColumns
                + " returns no column event_type, event_at, amount (it returns"
                + " event_id, user_id): record type events needs event_id, user_id, event_type, event_at, amount");

    assertThatThrownBy(() -> extract("events", "--template=extract/nope.sql"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("template 'extract/nope.sql' not found: pass a bundled template");
  }

  @Test
  void badOptionsAreOneLineErrors() {
    assertThatThrownBy(() -> options("orders"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--recordType=orders is not a record type: use one of [events, payments, users, entity_days]");
    assertThatThrownBy(() -> extract("events", "--maxBadFraction=2"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--maxBadFraction=2.0 is not a fraction: pass a value from 0 to 1, e.g. 0.01");
    assertThatThrownBy(() -> extract("entity_days", "--dataIntervalStart=2024-01-07T06:00:00Z"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "record type entity_days needs a data interval of whole UTC days, got"
                + " [2024-01-07T06:00:00Z, 2024-01-08T06:00:00Z): pass --dataIntervalStart/--dataIntervalEnd as YYYY-MM-DD");
    assertThatThrownBy(() -> extract("events", "--logicalDate=2024-02-30"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--logicalDate '2024-02-30' is not a valid date: use YYYY-MM-DD, e.g. 2024-01-07");
  }
}
