package io.mlproof.pipelines.warehouse;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.WarehouseOptions;
import io.mlproof.pipelines.sql.RenderedSql;
import io.mlproof.pipelines.sql.SqlRenderer;
import io.mlproof.pipelines.sql.SqlTemplate;
import io.mlproof.pipelines.sql.TableReferences;
import io.mlproof.pipelines.sql.TemplateContext;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * The warehouse a pipeline reads, chosen by one option ({@code --warehouse}): an embedded DuckDB
 * file (the default) or a BigQuery dataset (production). Every stage goes through this interface,
 * so a stage never knows which engine it runs on.
 *
 * <p>Typical use, before a pipeline is built:
 *
 * <pre>{@code
 * Warehouse warehouse = Warehouse.from(options);
 * RenderedSql sql = warehouse.render(warehouse.template("extract/events.sql"), TemplateContext.from(options));
 * DryRun checked = warehouse.check(sql);          // exit-2 errors for a missing file/table/bad SQL
 * p.apply("ReadWarehouseRows", warehouse.read(sql, SqlRowMapper.copy(), ResultRowCoder.of()));
 * }</pre>
 *
 * <p>Besides pipeline reads it answers driver-side queries ({@link #queryRows}, {@link
 * #queryTable}), dry runs ({@link #dryRun}) and table writes ({@link #replaceRows}), so no stage
 * ever asks which engine it has: the engine is chosen once, by {@link #parse}.
 */
public sealed interface Warehouse extends TableReferences
    permits DuckDbWarehouse, BigQueryWarehouse {

  /** The forms {@code --warehouse} accepts, for error messages. */
  String VALID_FORMS = "duckdb:<path to .duckdb file> or bigquery:<project>.<dataset>";

  /** At most this many rows come back from {@link #queryRows}: it is for small lookups. */
  int MAX_QUERY_ROWS = 100_000;

  /** Parses {@code duckdb:<path>} or {@code bigquery:<project>.<dataset>}. */
  static Warehouse parse(String spec) {
    if (spec != null && spec.startsWith("duckdb:") && spec.length() > "duckdb:".length()) {
      return new DuckDbWarehouse(Path.of(spec.substring("duckdb:".length())));
    }
    Matcher bigquery =
        Pattern.compile("bigquery:([^.]+)\\.([^.]+)").matcher(spec == null ? "" : spec);
    if (bigquery.matches()) {
      return BigQueryWarehouse.of(bigquery.group(1), bigquery.group(2));
    }
    throw new InvalidInputException(
        "--warehouse=" + spec + " is not a warehouse: use " + VALID_FORMS);
  }

  /** The warehouse {@code --warehouse} names. */
  static Warehouse from(WarehouseOptions options) {
    return parse(options.getWarehouse());
  }

  Dialect dialect();

  /** The file of an embedded (DuckDB) warehouse; empty for a hosted one (BigQuery). */
  default Optional<Path> localFile() {
    return Optional.empty();
  }

  /** The {@code --warehouse} value this warehouse was parsed from. */
  String spec();

  /** Fails with a one-line error when the warehouse is not there (no file, unreachable project). */
  void checkAvailable();

  /** Names of the tables (and views) the warehouse holds, sorted. */
  List<String> tables();

  /**
   * Renders the query without running it, checks it and reports what it would do: its columns, the
   * bytes it would scan (BigQuery's dry-run job) or its plan (DuckDB's {@code EXPLAIN}).
   */
  DryRun dryRun(RenderedSql sql);

  /**
   * Reads the query's rows into a pipeline: DuckDB through Beam's {@code JdbcIO} on a read-only
   * connection, BigQuery through {@code BigQueryIO} with the Storage Read API.
   */
  <T> PTransform<PBegin, PCollection<T>> read(
      RenderedSql sql, SqlRowMapper<T> mapper, Coder<T> coder);

  /**
   * {@link #read}, split into {@code partitions} disjoint reads by a hash of the query's column
   * {@code key}, spread over the workers so that they run in parallel and each writes its own
   * shards downstream. Every row is read by exactly one partition, a NULL key included. A
   * template's {@code {{ partition('key') }}} markers say where a part's filter goes; markers on
   * another column than {@code key} are an exit-2 error. Engines whose reads are parallel already
   * (BigQuery's Storage Read API streams) read once, the markers as {@code TRUE}.
   */
  default <T> PTransform<PBegin, PCollection<T>> readPartitioned(
      RenderedSql sql, String key, int partitions, SqlRowMapper<T> mapper, Coder<T> coder) {
    sql.partitionColumn(key);
    return read(sql, mapper, coder);
  }

  /**
   * Runs a small query in this process (sensors, lookups); at most {@link #MAX_QUERY_ROWS} rows.
   */
  List<ResultRow> queryRows(RenderedSql sql);

  /**
   * Runs a query in this process and returns the whole result by column: DuckDB through a columnar
   * JDBC reader with no row limit, BigQuery from {@link #queryRows} (at most {@link
   * #MAX_QUERY_ROWS} rows). Date and time columns are refused: turn them into numbers in the query.
   */
  QueryTable queryTable(RenderedSql sql);

  /**
   * Checks, before any work, that {@code table} can be written: a plain name, a reachable
   * warehouse, an existing table of that name with exactly these columns, and an engine that can
   * replace rows by this table's key. Exit-2 errors naming {@code option}.
   */
  void checkWritable(WarehouseTable table, String option);

  /**
   * Replaces, in each write's table, the rows whose key equals the write's key (creating the table
   * if needed). DuckDB: all writes in one transaction. BigQuery: one load job per write into the
   * key's day partition ({@code table$YYYYMMDD}, WRITE_TRUNCATE), so the key must be a DATE column;
   * several writes are not atomic together there. {@code options} run BigQuery's load pipeline (its
   * {@code --tempLocation} holds the load files).
   */
  void replaceRows(List<TableWrite> writes, PipelineOptions options);

  /**
   * Sets what this engine needs in a pipeline's options; BigQuery bills its own project unless
   * {@code --project} is set.
   */
  default void configure(PipelineOptions options) {}

  /** The single value of a one-row, one-column query (normalised as in {@link SqlRow}). */
  default Object queryScalar(RenderedSql sql) {
    List<ResultRow> rows = queryRows(sql);
    if (rows.size() != 1 || rows.get(0).columnNames().size() != 1) {
      throw new InvalidInputException(
          "template "
              + sql.template()
              + " must return one row with one column for a scalar, got "
              + rows.size()
              + " rows: fix the query");
    }
    ResultRow row = rows.get(0);
    return row.get(row.columnNames().get(0));
  }

  /** Checks the tables exist, each missing one named with the tables that do exist. */
  default void checkTables(Collection<String> names) {
    Set<String> missing = new TreeSet<>(names);
    if (missing.isEmpty()) {
      return;
    }
    List<String> existing = tables();
    missing.removeAll(existing);
    if (!missing.isEmpty()) {
      throw new InvalidInputException(
          "table '"
              + String.join("', '", missing)
              + "' does not exist in "
              + spec()
              + " (it has: "
              + (existing.isEmpty() ? "no tables" : String.join(", ", existing))
              + "): load it, or point --warehouse at the right warehouse");
    }
  }

  /** Everything that can be checked before a pipeline runs: warehouse, tables, then the query. */
  default DryRun check(RenderedSql sql) {
    checkAvailable();
    checkTables(sql.tables());
    return dryRun(sql);
  }

  /** Loads a template, preferring this warehouse's dialect variant ({@code x.duckdb.sql}). */
  default SqlTemplate template(String nameOrPath) {
    return SqlTemplate.load(nameOrPath, dialect().templateVariant());
  }

  /** Renders a template for this warehouse. */
  default RenderedSql render(SqlTemplate template, TemplateContext context) {
    return SqlRenderer.render(template, context, this);
  }
}
