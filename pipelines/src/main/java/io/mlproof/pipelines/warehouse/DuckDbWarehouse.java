package io.mlproof.pipelines.warehouse;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.sql.RenderedSql;
import io.mlproof.pipelines.sql.SqlIdentifiers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.duckdb.DuckDBDataSource;
import org.duckdb.DuckDBDriver;

/**
 * The embedded warehouse: one DuckDB file, always opened read-only (a pipeline must never change
 * the data it reads, and read-only connections from several processes may share one file).
 */
public final class DuckDbWarehouse implements Warehouse {

  private static final Pattern MISSING_TABLE = Pattern.compile("Table with name (\\S+) does not exist");

  private final Path file;

  DuckDbWarehouse(Path file) {
    this.file = file.toAbsolutePath().normalize();
  }

  public Path file() {
    return file;
  }

  @Override
  public Dialect dialect() {
    return Dialect.DUCKDB;
  }

  @Override
  public String spec() {
    return "duckdb:" + file;
  }

  @Override
  public String tableReference(String name) {
    return '"' + SqlIdentifiers.checkName(name, "table name") + '"';
  }

  @Override
  public void checkAvailable() {
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(
          "warehouse file " + file + " does not exist: run `mlproof demo init` or pass"
              + " --warehouse=duckdb:<path to .duckdb file>");
    }
    try (Connection ignored = connect()) {
      // opening it is the check
    } catch (SQLException e) {
      throw new InvalidInputException(
          "warehouse file " + file + " cannot be opened as a DuckDB database (" + firstLine(e)
              + "): pass --warehouse=duckdb:<path to a .duckdb file>", e);
    }
  }

  @Override
  public List<String> tables() {
    String sql =
        "SELECT table_name FROM information_schema.tables"
            + " WHERE table_schema = 'main' ORDER BY table_name";
    List<String> names = new ArrayList<>();
    try (Connection c = open(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new InvalidInputException("cannot list the tables of " + spec() + ": " + firstLine(e), e);
    }
    return names;
  }

  @Override
  public DryRun dryRun(RenderedSql sql) {
    SingleStatement.require(sql, Dialect.DUCKDB);
    try (Connection c = open()) {
      List<SqlColumn> columns;
      try (PreparedStatement prepared = c.prepareStatement(sql.sql())) {
        columns = JdbcRows.columns(prepared.getMetaData());
      }
      StringBuilder plan = new StringBuilder();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("EXPLAIN " + sql.sql())) {
        while (rs.next()) {
          plan.append(rs.getString(2)).append('\n');
        }
      }
      return new DryRun(Dialect.DUCKDB, columns, OptionalLong.empty(), plan.toString());
    } catch (SQLException e) {
      throw queryError(sql, e);
    }
  }

  @Override
  public <T> PTransform<PBegin, PCollection<T>> read(
      RenderedSql sql, SqlRowMapper<T> mapper, Coder<T> coder) {
    SingleStatement.require(sql, Dialect.DUCKDB);
    return JdbcIO.<T>read()
        .withDataSourceProviderFn(new ReadOnlyDataSource(url()))
        .withQuery(sql.sql())
        .withRowMapper(new JdbcRows.Mapper<>(mapper))
        .withCoder(coder)
        // JdbcIO's default reshuffle gives every row a random key; the Direct runner then runs each
        // row as its own bundle and 20,000 rows took minutes. One query is one reader anyway.
        .withOutputParallelization(false);
  }

  /**
   * Each partition is the query nested in {@code SELECT * FROM (...) WHERE hash(key) % n = i} on a
   * connection of its own. DuckDB pushes the filter on a grouping column below an aggregation, so
   * every partition aggregates only its keys; only the base table scan is repeated.
   */
  @Override
  public <T> PTransform<PBegin, PCollection<T>> readPartitioned(
      RenderedSql sql, String key, int partitions, SqlRowMapper<T> mapper, Coder<T> coder) {
    if (partitions <= 1) {
      return read(sql, mapper, coder);
    }
    SingleStatement.require(sql, Dialect.DUCKDB);
    String query = "SELECT * FROM (\n" + SingleStatement.withoutTrailingSemicolon(sql.sql(), false)
        + "\n) AS mlproof_rows WHERE hash(mlproof_rows." + tableReference(key) + ") % " + partitions + " = ?";
    return new ReadPartitions<>(url(), query, partitions, mapper, coder);
  }

  /** The partitions' numbers, spread over the workers, each read on a connection of its own. */
  private static final class ReadPartitions<T> extends PTransform<PBegin, PCollection<T>> {
    private static final long serialVersionUID = 1L;
    private final String url;
    private final String query;
    private final int partitions;
    private final SqlRowMapper<T> mapper;
    private final Coder<T> coder;

    ReadPartitions(String url, String query, int partitions, SqlRowMapper<T> mapper, Coder<T> coder) {
      this.url = url;
      this.query = query;
      this.partitions = partitions;
      this.mapper = mapper;
      this.coder = coder;
    }

    @Override
    public PCollection<T> expand(PBegin input) {
      return input
          .apply("Partitions", Create.of(IntStream.range(0, partitions).boxed().toList()))
          // Random keys spread the few partition numbers over the workers; each read then runs,
          // parses and writes where its number landed.
          .apply("SpreadPartitions", Reshuffle.viaRandomKey())
          .apply("ReadPartition", JdbcIO.<Integer, T>readAll()
              .withDataSourceProviderFn(new ReadOnlyDataSource(url))
              .withQuery(query)
              .withParameterSetter((Integer partition, PreparedStatement statement) -> statement.setInt(1, partition))
              .withRowMapper(new JdbcRows.Mapper<>(mapper))
              .withCoder(coder)
              // The rows stay where their partition was read (see read()).
              .withOutputParallelization(false));
    }
  }

  @Override
  public List<ResultRow> queryRows(RenderedSql sql) {
    SingleStatement.require(sql, Dialect.DUCKDB);
    List<ResultRow> rows = new ArrayList<>();
    try (Connection c = open(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.sql())) {
      JdbcRows.Layout layout = new JdbcRows.Layout(rs.getMetaData());
      while (rs.next()) {
        if (rows.size() == MAX_QUERY_ROWS) {
          throw new InvalidInputException(
              "template " + sql.template() + " returned more than " + MAX_QUERY_ROWS
                  + " rows: queryRows is for small lookups, read large results in a pipeline");
        }
        rows.add(layout.read(rs));
      }
    } catch (SQLException e) {
      throw queryError(sql, e);
    }
    return rows;
  }

  /**
   * Unpooled, read-only connections for JdbcIO. JdbcIO closes its connection after each bundle;
   * without a pool that really closes the file, so the process holds no DuckDB handle after the
   * read (a pooled one would keep it open and block a later writer in the same JVM). Results are
   * streamed rather than materialised first.
   */
  private static final class ReadOnlyDataSource implements SerializableFunction<Void, DataSource> {
    private static final long serialVersionUID = 1L;
    private final String url;

    ReadOnlyDataSource(String url) {
      this.url = url;
    }

    @Override
    public DataSource apply(Void ignored) {
      return new DuckDBDataSource(url, connectionProperties());
    }
  }

  /**
   * Every connection reads only: read-only, no access to other files or the network (no
   * {@code COPY ... TO}, {@code ATTACH}, {@code read_csv} of local files, extension loading), and
   * the configuration locked so a query cannot turn these back on (issue 10 item 9).
   */
  public static Properties connectionProperties() {
    Properties properties = new Properties();
    properties.setProperty(DuckDBDriver.DUCKDB_READONLY_PROPERTY, "true");
    properties.setProperty("enable_external_access", "false");
    properties.setProperty("lock_configuration", "true");
    properties.setProperty(DuckDBDriver.JDBC_STREAM_RESULTS, "true");
    return properties;
  }

  private String url() {
    return "jdbc:duckdb:" + file;
  }

  /** A read-only connection to an existing file (DuckDB would otherwise create an empty one). */
  private Connection open() {
    if (!Files.isRegularFile(file)) {
      checkAvailable();
    }
    try {
      return connect();
    } catch (SQLException e) {
      throw new InvalidInputException("cannot open " + spec() + ": " + firstLine(e), e);
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(url(), connectionProperties());
  }

  /** A missing table gets the table-level message; anything else names the template and the fix. */
  private InvalidInputException queryError(RenderedSql sql, SQLException e) {
    Matcher missing = MISSING_TABLE.matcher(String.valueOf(e.getMessage()));
    if (missing.find()) {
      checkTables(List.of(missing.group(1)));
    }
    return new InvalidInputException(
        "template " + sql.template() + " does not run on DuckDB (" + firstLine(e) + "): fix the template", e);
  }

  private static String firstLine(SQLException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.lines().filter(line -> !line.isBlank()).findFirst().orElse(message).trim();
  }
}
