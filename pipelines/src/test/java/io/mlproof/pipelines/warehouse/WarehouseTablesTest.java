package io.mlproof.pipelines.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.sql.RenderedSql;
import io.mlproof.pipelines.warehouse.WarehouseTable.Column;
import io.mlproof.pipelines.warehouse.WarehouseTable.ColumnType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warehouse API's driver-side whole-table query ({@link Warehouse#queryTable}) and its table
 * writes ({@link Warehouse#replaceRows}) on both engines: DuckDB on real files, BigQuery through
 * Beam's BigQuery fakes (a fake dataset service and a fake job service that runs load jobs; no
 * BigQuery can run here). Every expected value is written out by hand.
 */
class WarehouseTablesTest {

  @TempDir Path tmp;

  static final WarehouseTable DAILY =
      new WarehouseTable(
          "daily",
          "daily",
          List.of(
              Column.required("id", ColumnType.STRING),
              Column.nullable("value", ColumnType.DOUBLE),
              Column.required("day", ColumnType.DATE)),
          "day");

  static final WarehouseTable BY_RUN =
      new WarehouseTable(
          "by_run",
          "by-run",
          List.of(
              Column.required("run", ColumnType.STRING),
              Column.required("n", ColumnType.INT32),
              Column.required("flag", ColumnType.BOOLEAN),
              Column.nullable("rank", ColumnType.INT64)),
          "run");

  static final LocalDate JULY_1 = LocalDate.of(2024, 7, 1);
  static final LocalDate JULY_2 = LocalDate.of(2024, 7, 2);

  private Path duckDb(String... statements) {
    return DuckDbFixture.create(tmp.resolve("w.duckdb"), statements);
  }

  private static List<String> rows(Path db, String sql) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          values.add(String.valueOf(rs.getObject(i)));
        }
        rows.add(String.join("|", values));
      }
    }
    return rows;
  }

  private static TableWrite daily(LocalDate day, Object[]... rows) {
    List<List<Object>> values = new ArrayList<>();
    for (Object[] row : rows) {
      values.add(Arrays.asList(row[0], row[1], day));
    }
    return new TableWrite(DAILY, day, values);
  }

  @Test
  void queryTableReadsColumnsByTypeWithNulls() {
    Warehouse warehouse =
        Warehouse.parse(
            "duckdb:"
                + duckDb(
                    "CREATE TABLE t AS SELECT * FROM (VALUES (1, 2.5, 1.25::DECIMAL(5,2), true, 'a'),"
                        + " (2, NULL, NULL, NULL, NULL), (3, -1.0, 0.10::DECIMAL(5,2), false, 'b')) v(id, x, d, flag, name)"));
    RenderedSql sql = new RenderedSql("q.sql", "SELECT * FROM t ORDER BY id", Set.of("t"));

    QueryTable columnar = warehouse.queryTable(sql);
    // BigQuery's path: the same result as rows first, then by column.
    QueryTable fromRows = QueryTable.of(warehouse.queryRows(sql));
    for (QueryTable table : List.of(columnar, fromRows)) {
      assertThat(table.rows()).isEqualTo(3);
      assertThat(table.names()).containsExactly("id", "x", "d", "flag", "name");
      assertThat(table.columns())
          .extracting(QueryTable.Column::type)
          .containsExactly("NUMERIC", "NUMERIC", "NUMERIC", "BOOLEAN", "TEXT");
      assertThat(((QueryTable.NumericColumn) table.column("id")).values()).containsExactly(1, 2, 3);
      assertThat(((QueryTable.NumericColumn) table.column("x")).values())
          .containsExactly(2.5, Double.NaN, -1.0);
      assertThat(((QueryTable.NumericColumn) table.column("d")).values())
          .containsExactly(1.25, Double.NaN, 0.1);
      assertThat(((QueryTable.BooleanColumn) table.column("flag")).values())
          .containsExactly(1, Double.NaN, 0);
      assertThat(IntStream.range(0, 3).mapToObj(table.column("flag")::text))
          .containsExactly("true", null, "false");
      assertThat(((QueryTable.TextColumn) table.column("name")).values())
          .containsExactly("a", null, "b");
    }
  }

  @Test
  void queryTableRefusesDateColumnsWithTheFix() {
    Warehouse warehouse = Warehouse.parse("duckdb:" + duckDb());
    assertThatThrownBy(
            () ->
                warehouse.queryTable(
                    new RenderedSql("q.sql", "SELECT DATE '2024-07-01' AS d", Set.of())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "column d of q.sql is a DATE: turn it into a number in the query (e.g. days since an event)"
                + " or leave it out");
  }

  @Test
  void duckDbReplacesTheKeysRowsAndKeepsTheOthers() throws Exception {
    Path db = duckDb();
    Warehouse warehouse = Warehouse.parse("duckdb:" + db);
    PipelineOptions options = PipelineOptionsFactory.create();
    warehouse.checkWritable(DAILY, "--dailyTable");
    warehouse.replaceRows(
        List.of(daily(JULY_1, new Object[] {"u1", 0.5}, new Object[] {"u2", null})), options);
    warehouse.replaceRows(List.of(daily(JULY_2, new Object[] {"u1", 0.25})), options);
    // A re-run of July 1st replaces its two rows by one; July 2nd stays.
    warehouse.replaceRows(List.of(daily(JULY_1, new Object[] {"u3", 1.0})), options);

    assertThat(rows(db, "SELECT id, value, day FROM daily ORDER BY day, id"))
        .containsExactly("u3|1.0|2024-07-01", "u1|0.25|2024-07-02");
    assertThat(
            rows(
                db,
                "SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns"
                    + " WHERE table_name = 'daily' ORDER BY ordinal_position"))
        .containsExactly("id VARCHAR NO", "value DOUBLE YES", "day DATE NO");
    warehouse.checkWritable(DAILY, "--dailyTable"); // the table it made is one it may write again
  }

  @Test
  void duckDbWritesAllTablesInOneTransaction() throws Exception {
    Path db =
        duckDb(
            "CREATE VIEW by_run AS SELECT 'r'::VARCHAR AS run, 1::INTEGER AS n, true AS flag,"
                + " 1::BIGINT AS rank");
    Warehouse warehouse = Warehouse.parse("duckdb:" + db);
    PipelineOptions options = PipelineOptionsFactory.create();
    warehouse.replaceRows(List.of(daily(JULY_1, new Object[] {"u1", 0.5})), options);

    // by_run is a view with the right columns: the check passes, the write fails, and the first
    // write of the same transaction is rolled back.
    TableWrite byRun = new TableWrite(BY_RUN, "r", List.of(Arrays.asList("r", 7, false, null)));
    assertThatThrownBy(
            () ->
                warehouse.replaceRows(
                    List.of(daily(JULY_1, new Object[] {"u9", 9.0}), byRun), options))
        .isInstanceOf(RunFailedException.class)
        .hasMessageStartingWith("cannot write table(s) [daily, by_run] in duckdb:" + db + ": ");
    assertThat(rows(db, "SELECT id, value FROM daily")).containsExactly("u1|0.5");
  }

  @Test
  void duckDbRefusesAForeignTableAndAMissingFileBeforeAnyWork() {
    Path db = duckDb();
    Warehouse warehouse = Warehouse.parse("duckdb:" + db);
    assertThatThrownBy(() -> warehouse.checkWritable(DAILY.named("users"), "--dailyTable"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--dailyTable=users names an existing table with columns [user_id BIGINT, signup_at TIMESTAMP,"
                + " country VARCHAR, acquisition_channel VARCHAR], not a daily table [id VARCHAR, value DOUBLE,"
                + " day DATE]: choose another --dailyTable");
    assertThatThrownBy(
            () -> warehouse.checkWritable(DAILY.named("x; DROP TABLE users"), "--dailyTable"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("--dailyTable 'x; DROP TABLE users' is not a plain identifier");

    Path missing = tmp.resolve("missing.duckdb");
    assertThatThrownBy(
            () -> Warehouse.parse("duckdb:" + missing).checkWritable(DAILY, "--dailyTable"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("warehouse file " + missing + " does not exist");
    assertThat(missing).doesNotExist();
  }

  @Test
  void bigQueryLoadsTheKeysDayIntoAPartitionedTable() throws Exception {
    BigQueryFakes fakes = new BigQueryFakes();
    Warehouse warehouse = fakes.warehouse();
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setTempLocation(tmp.toString());

    warehouse.checkWritable(DAILY, "--dailyTable");
    warehouse.replaceRows(
        List.of(daily(JULY_2, new Object[] {"u2", 0.9}, new Object[] {"u1", null})), options);

    Table table =
        fakes
            .datasets()
            .getTable(
                new TableReference()
                    .setProjectId(BigQueryFakes.PROJECT)
                    .setDatasetId(BigQueryFakes.DATASET)
                    .setTableId("daily"));
    assertThat(table.getTimePartitioning().getField()).isEqualTo("day");
    assertThat(table.getSchema().getFields())
        .extracting(f -> f.getName() + ":" + f.getType() + ":" + f.getMode())
        .containsExactly("id:STRING:REQUIRED", "value:FLOAT64:NULLABLE", "day:DATE:REQUIRED");
    List<TableRow> rows =
        fakes.datasets().getAllRows(BigQueryFakes.PROJECT, BigQueryFakes.DATASET, "daily");
    rows.sort(Comparator.comparing(r -> r.get("id").toString()));
    assertThat(rows)
        .extracting(r -> r.get("id") + "|" + r.get("value") + "|" + r.get("day"))
        .containsExactly("u1|null|2024-07-02", "u2|0.9|2024-07-02");
  }

  /** A STRING key: one table per key value, replaced whole; other keys' tables untouched. */
  @Test
  void bigQueryWritesAStringKeyIntoATableOfItsOwnAndReplacesIt() throws Exception {
    BigQueryFakes fakes = new BigQueryFakes();
    Warehouse warehouse = fakes.warehouse();
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setTempLocation(tmp.toString());

    warehouse.checkWritable(BY_RUN, "--runsTable");
    warehouse.replaceRows(
        List.of(
            new TableWrite(
                BY_RUN,
                "r1",
                List.of(Arrays.asList("r1", 1, true, 5L), Arrays.asList("r1", 2, false, null)))),
        options);
    warehouse.replaceRows(
        List.of(new TableWrite(BY_RUN, "r2", List.of(Arrays.asList("r2", 3, true, 1L)))), options);
    warehouse.replaceRows(
        List.of(new TableWrite(BY_RUN, "r1", List.of(Arrays.asList("r1", 4, false, 2L)))), options);

    Table table =
        fakes
            .datasets()
            .getTable(
                new TableReference()
                    .setProjectId(BigQueryFakes.PROJECT)
                    .setDatasetId(BigQueryFakes.DATASET)
                    .setTableId("by_run__r1"));
    assertThat(table.getTimePartitioning()).isNull();
    assertThat(table.getSchema().getFields())
        .extracting(f -> f.getName() + ":" + f.getType() + ":" + f.getMode())
        .containsExactly(
            "run:STRING:REQUIRED", "n:INT64:REQUIRED", "flag:BOOL:REQUIRED", "rank:INT64:NULLABLE");
    assertThat(
            fakes.datasets().getAllRows(BigQueryFakes.PROJECT, BigQueryFakes.DATASET, "by_run__r1"))
        .extracting(
            r -> r.get("run") + "|" + r.get("n") + "|" + r.get("flag") + "|" + r.get("rank"))
        .containsExactly("r1|4|false|2");
    assertThat(
            fakes.datasets().getAllRows(BigQueryFakes.PROJECT, BigQueryFakes.DATASET, "by_run__r2"))
        .extracting(r -> r.get("run") + "|" + r.get("n"))
        .containsExactly("r2|3");
    assertThatThrownBy(
            () ->
                warehouse.replaceRows(
                    List.of(
                        new TableWrite(
                            BY_RUN, "r-3", List.of(Arrays.asList("r-3", 1, true, null)))),
                    options))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "run 'r-3' cannot name a BigQuery table (by_run__<run>): use 1-128 letters, digits and _");
  }

  @Test
  void bigQueryRefusesATableKeyedByANumber() throws Exception {
    BigQueryFakes fakes = new BigQueryFakes();
    Warehouse warehouse =
        BigQueryWarehouse.of(BigQueryFakes.PROJECT, BigQueryFakes.DATASET)
            .withApi(fakes.api(List.of()));
    WarehouseTable byN = new WarehouseTable("by_n", "by-n", BY_RUN.columns(), "n");
    assertThatThrownBy(() -> warehouse.checkWritable(byN, "--nTable"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--nTable=by_n cannot be written to bigquery:test-project.analytics: mlproof replaces a day"
                + " partition (DATE key) or a table per key value (STRING key) in BigQuery, and a by-n table is keyed by"
                + " n (INT32): use a DuckDB warehouse, or pass --nTable= (empty) to skip the table");
  }
}
