package io.mlproof.pipelines.extract;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.pipelines.warehouse.BigQueryEvents;
import io.mlproof.pipelines.warehouse.BigQueryFakes;
import io.mlproof.pipelines.warehouse.BigQueryWarehouse;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.DeadLetter;
import io.mlproof.proto.v1.Event;
import io.mlproof.proto.v1.EventType;
import io.mlproof.proto.v1.Manifest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole extract pipeline on the BigQuery path, against Beam's BigQuery fakes (no BigQuery can
 * run here; see {@link BigQueryFakes}). The fake job service runs a query whose text is its encoded
 * result, so the "template" here is that text; the renderer passes it through unchanged.
 */
class BigQueryExtractTest {

  @TempDir Path tmp;

  private ExtractOptions options(Path template, String... extra) {
    String[] base = {
      "--warehouse=bigquery:" + BigQueryFakes.PROJECT + "." + BigQueryFakes.DATASET,
      "--project=" + BigQueryFakes.PROJECT,
      "--tempLocation=" + tmp.resolve("gcs-temp"),
      "--output=" + tmp.resolve("out"),
      "--recordType=events",
      "--logicalDate=2024-01-07",
      "--template=" + template,
      "--maxBadFraction=0.5"
    };
    String[] all =
        java.util.stream.Stream.concat(
                java.util.Arrays.stream(base), java.util.Arrays.stream(extra))
            .toArray(String[]::new);
    return ExtractPipeline.parse(all);
  }

  @Test
  void extractsRecordsAndDeadLettersFromBigQuery() throws Exception {
    BigQueryFakes fakes = new BigQueryFakes();
    BigQueryFakes.CannedQuery query = BigQueryEvents.canned(fakes, 2048);
    Path template = Files.writeString(tmp.resolve("events.sql"), query.text());
    Warehouse warehouse =
        BigQueryWarehouse.of(BigQueryFakes.PROJECT, BigQueryFakes.DATASET)
            .withTestServices(BigQueryEvents.services(fakes))
            .withApi(fakes.api(List.of("events")));

    Manifest manifest = ExtractPipeline.run(options(template), warehouse, System.out);

    Path out = tmp.resolve("out");
    assertThat(TfRecordFiles.read(out, "records-*.tfrecord", Event.parser()))
        .containsExactly(
            Event.newBuilder()
                .setEventId(1)
                .setEntityId("7")
                .setEventType(EventType.PURCHASE)
                .setEventTimeMicros(BigQueryEvents.NOON)
                .setAmountCents(1050)
                .build());
    assertThat(TfRecordFiles.read(out, "dead_letter-*.tfrecord", DeadLetter.parser()))
        .extracting(d -> d.getReasonCode().name(), d -> d.getOriginalMap().get("event_at"))
        .containsExactly(org.assertj.core.groups.Tuple.tuple("NULL_ID", "2024-01-07T13:00:00Z"));
    assertThat(manifest.getCountersMap())
        .containsAllEntriesOf(Map.of("rows", 2L, "records", 1L, "bad_rows", 1L, "bad_null_id", 1L));
    assertThat(manifest.getAttributesMap())
        .containsEntry("warehouse", "bigquery:test-project.analytics");
  }

  @Test
  void dryRunReportsTheBytesTheQueryWouldScan() throws Exception {
    BigQueryFakes fakes = new BigQueryFakes();
    BigQueryFakes.CannedQuery query = BigQueryEvents.canned(fakes, 123_456_789L);
    Path template = Files.writeString(tmp.resolve("events.sql"), query.text());
    Warehouse warehouse =
        BigQueryWarehouse.of(BigQueryFakes.PROJECT, BigQueryFakes.DATASET)
            .withApi(fakes.api(List.of("events")));

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    assertThat(
            ExtractPipeline.run(
                options(template, "--dryRun"),
                warehouse,
                new PrintStream(printed, true, StandardCharsets.UTF_8)))
        .isNull();

    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains(
            "columns: event_id INTEGER, user_id INTEGER, event_type STRING, event_at TIMESTAMP, amount NUMERIC\n")
        .contains("would scan: 123456789 bytes (117.7 MiB)\n");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  /**
   * On BigQuery a partition marker renders as TRUE and --readPartitions is ignored: the query job
   * gets exactly the whole query. The fake job service takes a query's text as its base64-encoded
   * result and decodes a stream, ignoring bytes after the result; so a marker right after an
   * unpadded encoding (its TRUE four more base64 characters, three more bytes) still decodes to the
   * canned rows, and the dry run is registered for that exact text only.
   */
  @Test
  void aMarkedTemplateRunsAsTheWholeQueryOnBigQuery() throws Exception {
    BigQueryFakes fakes = new BigQueryFakes();
    com.google.api.services.bigquery.model.TableReference events = fakes.table("events");
    BigQueryFakes.CannedQuery query = null;
    // The encoding is unpadded when the encoded result is a multiple of 3 bytes: one of three
    // consecutive lengths of the table's "numBytes" figure gives that.
    for (long bytes : new long[] {2048, 20480, 204800}) {
      query = fakes.query(BigQueryEvents.SCHEMA, BigQueryEvents.rows(), bytes, events);
      if (!query.text().endsWith("=")) {
        break;
      }
    }
    assertThat(query.text()).doesNotEndWith("=");
    String whole = query.text() + "TRUE";
    fakes.expectDryRun(whole, query.schema(), 2048, events);
    Path template =
        Files.writeString(tmp.resolve("events.sql"), query.text() + "{{ partition('user_id') }}");
    Warehouse warehouse =
        BigQueryWarehouse.of(BigQueryFakes.PROJECT, BigQueryFakes.DATASET)
            .withTestServices(BigQueryEvents.services(fakes))
            .withApi(fakes.api(List.of("events")));

    Manifest manifest =
        ExtractPipeline.run(options(template, "--readPartitions=8"), warehouse, System.out);

    assertThat(manifest.getQuerySha256())
        .isEqualTo(io.mlproof.pipelines.core.Sha256.hex(whole.getBytes(StandardCharsets.UTF_8)));
    assertThat(manifest.getAttributesMap()).containsEntry("read_partitions", "8");
    assertThat(TfRecordFiles.read(tmp.resolve("out"), "records-*.tfrecord", Event.parser()))
        .extracting(Event::getEventId)
        .containsExactly(1L);
    assertThat(manifest.getCountersMap())
        .containsAllEntriesOf(Map.of("rows", 2L, "records", 1L, "bad_rows", 1L));
  }
}
