package io.mlproof.pipelines.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.sql.RenderedSql;
import io.mlproof.pipelines.sql.SqlTemplate;
import io.mlproof.pipelines.sql.TemplateContext;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbWarehouseTest {

  final transient TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(true);

  @TempDir Path tmp;
  private Path file;
  private Warehouse warehouse;

  @BeforeEach
  void setUp() {
    file =
        DuckDbFixture.create(
            tmp.resolve("w.duckdb"),
            "INSERT INTO events VALUES (1, 10, 'purchase', TIMESTAMP '2024-01-07 10:00:00.123456', 12.34),"
                + " (2, NULL, 'page_view', TIMESTAMP '2024-01-07 23:59:59', NULL)");
    warehouse = Warehouse.parse("duckdb:" + file);
  }

  private RenderedSql sql(String text) {
    return warehouse.render(
        SqlTemplate.inline("q.sql", text), TemplateContext.daily(LocalDate.parse("2024-01-07")));
  }

  @Test
  void parsesTheTwoFormsAndRejectsEverythingElse() {
    assertThat(Warehouse.parse("duckdb:build/w.duckdb"))
        .isInstanceOf(DuckDbWarehouse.class)
        .extracting(Warehouse::dialect)
        .isEqualTo(Dialect.DUCKDB);
    BigQueryWarehouse bq = (BigQueryWarehouse) Warehouse.parse("bigquery:my-project.analytics");
    assertThat(bq.project()).isEqualTo("my-project");
    assertThat(bq.dataset()).isEqualTo("analytics");
    assertThat(bq.spec()).isEqualTo("bigquery:my-project.analytics");
    for (String bad :
        new String[] {"postgres://h/db", "duckdb:", "bigquery:project", "bigquery:a.b.c", ""}) {
      assertThatThrownBy(() -> Warehouse.parse(bad))
          .as(bad)
          .isInstanceOf(InvalidInputException.class)
          .hasMessage(
              "--warehouse="
                  + bad
                  + " is not a warehouse: use duckdb:<path to .duckdb file> or"
                  + " bigquery:<project>.<dataset>");
    }
    assertThatThrownBy(() -> Warehouse.parse("bigquery:My_Project.analytics"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "bigquery:My_Project.analytics names an invalid BigQuery project or dataset: the project is"
                + " 6-30 lowercase letters, digits or hyphens, the dataset letters, digits or underscores");
    assertThatThrownBy(() -> Warehouse.parse("bigquery:my-project.ana`lytics"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("invalid BigQuery project or dataset");
  }

  @Test
  void readsRowsWithNormalisedTypesThroughJdbcIO() {
    PCollection<ResultRow> rows =
        p.apply(
            warehouse.read(
                sql(
                    "SELECT event_id, user_id, event_type, event_at, amount, CAST(event_at AS DATE) AS d,"
                        + " SUM(event_id) OVER () AS total, 0.5::DOUBLE AS half FROM {{ table('events') }}"),
                SqlRowMapper.copy(),
                ResultRowCoder.of()));

    List<String> names =
        List.of("event_id", "user_id", "event_type", "event_at", "amount", "d", "total", "half");
    PAssert.that(rows)
        .containsInAnyOrder(
            ResultRow.of(
                names,
                java.util.Arrays.asList(
                    1L,
                    10L,
                    "purchase",
                    Instant.parse("2024-01-07T10:00:00.123456Z"),
                    new BigDecimal("12.34"),
                    LocalDate.parse("2024-01-07"),
                    3L,
                    0.5)),
            ResultRow.of(
                names,
                java.util.Arrays.asList(
                    2L,
                    null,
                    "page_view",
                    Instant.parse("2024-01-07T23:59:59Z"),
                    null,
                    LocalDate.parse("2024-01-07"),
                    3L,
                    0.5)));
    p.run().waitUntilFinish();

    // The read released the file: this process may now open it for writing.
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + file);
        java.sql.Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO events VALUES (3, 11, 'page_view', TIMESTAMP '2024-01-07 12:00:00', NULL)");
    } catch (java.sql.SQLException e) {
      throw new AssertionError("the pipeline still holds " + file + ": " + e.getMessage(), e);
    }
  }

  @Test
  void mapsRowsWithTheCallersMapper() {
    PCollection<Long> micros =
        p.apply(
            warehouse.read(
                sql("SELECT event_at FROM {{ table('events') }}"),
                row -> row.getTimestampMicros("event_at"),
                org.apache.beam.sdk.coders.VarLongCoder.of()));
    PAssert.that(micros).containsInAnyOrder(1704621600123456L, 1704671999000000L);
    p.run().waitUntilFinish();
  }

  @Test
  void dryRunReportsColumnsAndPlanWithoutReading() {
    DryRun dryRun =
        warehouse.check(
            sql("SELECT event_id, amount FROM {{ table('events') }} WHERE event_at >= {{ ds }}"));
    assertThat(dryRun.columns())
        .containsExactly(
            new SqlColumn("event_id", "BIGINT"), new SqlColumn("amount", "DECIMAL(12,2)"));
    assertThat(dryRun.bytesProcessed()).isEmpty();
    assertThat(dryRun.plan()).contains("events");
  }

  @Test
  void smallQueriesRunInProcess() {
    assertThat(
            warehouse.queryScalar(
                sql("SELECT COUNT(*) FROM {{ table('events') }} WHERE user_id IS NOT NULL")))
        .isEqualTo(1L);
    List<ResultRow> rows =
        warehouse.queryRows(
            sql("SELECT event_id, amount FROM {{ table('events') }} ORDER BY event_id"));
    assertThat(rows)
        .extracting(r -> r.getLong("event_id") + "/" + r.getText("amount"))
        .containsExactly("1/12.34", "2/<null>");
    assertThat(rows.get(0).getCents("amount")).isEqualTo(1234L);
    assertThatThrownBy(
            () -> warehouse.queryScalar(sql("SELECT event_id FROM {{ table('events') }}")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template q.sql must return one row with one column for a scalar, got 2 rows: fix the query");
    assertThat(warehouse.tables()).containsExactly("events", "payments", "users");
  }

  @Test
  void missingThingsAreOneLineErrors() throws Exception {
    assertThatThrownBy(() -> warehouse.checkTables(Set.of("orders", "events")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "table 'orders' does not exist in duckdb:"
                + file
                + " (it has: events, payments, users):"
                + " load it, or point --warehouse at the right warehouse");
    // A table named without {{ table() }} is found in DuckDB's own error and reported the same way.
    assertThatThrownBy(() -> warehouse.dryRun(sql("SELECT * FROM orders")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("table 'orders' does not exist in duckdb:" + file);
    assertThatThrownBy(() -> warehouse.dryRun(sql("SELECT nope FROM {{ table('events') }}")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "template q.sql does not run on DuckDB (Binder Error: Referenced column \"nope\" not found");

    Path notDuckDb = Files.writeString(tmp.resolve("notes.duckdb"), "not a database");
    assertThatThrownBy(() -> Warehouse.parse("duckdb:" + notDuckDb).checkAvailable())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "warehouse file " + notDuckDb + " cannot be opened as a DuckDB database (")
        .hasMessageEndingWith("): pass --warehouse=duckdb:<path to a .duckdb file>");
    Path missing = tmp.resolve("missing.duckdb");
    assertThatThrownBy(() -> Warehouse.parse("duckdb:" + missing).tables())
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "warehouse file "
                + missing
                + " does not exist: run `mlproof demo init` or pass"
                + " --warehouse=duckdb:<path to .duckdb file>");
    assertThat(missing).doesNotExist();
  }
}
