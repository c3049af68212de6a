package io.mlproof.pipelines.warehouse;

import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TableSchema;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;

/**
 * Two events as BigQuery would return them for {@code extract/events.sql}: the table schema, the
 * Storage Read API's Avro schema (NUMERIC as decimal(38, 9) bytes, TIMESTAMP as timestamp-micros)
 * and the rows. Event 1 is good; event 2 has a NULL user_id.
 */
public final class BigQueryEvents {

  public static final TableSchema SCHEMA =
      new TableSchema()
          .setFields(
              List.of(
                  BigQueryFakes.field("event_id", "INTEGER"),
                  BigQueryFakes.field("user_id", "INTEGER"),
                  BigQueryFakes.field("event_type", "STRING"),
                  BigQueryFakes.field("event_at", "TIMESTAMP"),
                  BigQueryFakes.field("amount", "NUMERIC")));

  public static final Schema AVRO =
      new Schema.Parser()
          .parse(
              "{\"type\": \"record\", \"name\": \"__root__\", \"fields\": ["
                  + "{\"name\": \"event_id\", \"type\": [\"null\", \"long\"]},"
                  + "{\"name\": \"user_id\", \"type\": [\"null\", \"long\"]},"
                  + "{\"name\": \"event_type\", \"type\": [\"null\", \"string\"]},"
                  + "{\"name\": \"event_at\", \"type\": [\"null\", {\"type\": \"long\", \"logicalType\": \"timestamp-micros\"}]},"
                  + "{\"name\": \"amount\", \"type\": [\"null\", {\"type\": \"bytes\", \"logicalType\": \"decimal\","
                  + " \"precision\": 38, \"scale\": 9}]}]}");

  /** 2024-01-07T12:00:00Z and 13:00:00Z in epoch microseconds. */
  public static final long NOON = 1704628800000000L;

  public static final long ONE_PM = 1704632400000000L;

  public static final BigQueryFakes.CannedQuery canned(BigQueryFakes fakes, long bytes)
      throws Exception {
    return fakes.query(SCHEMA, rows(), bytes, fakes.table("events"));
  }

  /** The two events as the query job's result rows. */
  public static List<TableRow> rows() {
    return List.of(
        new TableRow()
            .set("event_id", 1L)
            .set("user_id", 7L)
            .set("event_type", "purchase")
            .set("event_at", "2024-01-07 12:00:00 UTC")
            .set("amount", "10.5"),
        new TableRow()
            .set("event_id", 2L)
            .set("event_type", "page_view")
            .set("event_at", "2024-01-07 13:00:00 UTC"));
  }

  public static BigQueryServices services(BigQueryFakes fakes) {
    return fakes.services(
        AVRO,
        List.of(
            record(1L, 7L, "purchase", NOON, new BigDecimal("10.50")),
            record(2L, null, "page_view", ONE_PM, null)));
  }

  /** The same rows, normalised as every engine hands them to row mappers. */
  public static final List<ResultRow> EXPECTED =
      List.of(
          ResultRow.builder()
              .set("event_id", 1L)
              .set("user_id", 7L)
              .set("event_type", "purchase")
              .set("event_at", Instant.parse("2024-01-07T12:00:00Z"))
              .set("amount", new BigDecimal("10.500000000"))
              .build(),
          ResultRow.builder()
              .set("event_id", 2L)
              .set("user_id", null)
              .set("event_type", "page_view")
              .set("event_at", Instant.parse("2024-01-07T13:00:00Z"))
              .set("amount", null)
              .build());

  private BigQueryEvents() {}

  private static GenericRecord record(
      Long id, Long user, String type, long micros, BigDecimal amount) {
    Map<String, Object> values = new HashMap<>();
    values.put("event_id", id);
    values.put("user_id", user);
    values.put("event_type", type);
    values.put("event_at", micros);
    values.put(
        "amount",
        amount == null ? null : ByteBuffer.wrap(amount.setScale(9).unscaledValue().toByteArray()));
    return BigQueryFakes.record(AVRO, values);
  }
}
