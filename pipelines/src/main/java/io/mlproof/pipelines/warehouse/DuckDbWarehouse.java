package io.mlproof.pipelines.warehouse;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.sql.RenderedSql;
import io.mlproof.pipelines.sql.SqlIdentifiers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDataSource;
import org.duckdb.DuckDBDriver;

/**
 * The embedded warehouse: one DuckDB file, opened read-only for every read (a pipeline must never
 * change the data it reads, and read-only connections from several processes may share one file);
 * only {@link #replaceRows} opens it for writing, for the tables mlproof owns.
 */
public final class DuckDbWarehouse implements Warehouse {

  private static final Pattern MISSING_TABLE =
      Pattern.compile("Table with name (\\S+) does not exist");

  private final Path file;

  DuckDbWarehouse(Path file) {
    this.file = file.toAbsolutePath().normalize();
  }

  public Path file() {
    return file;
  }

  @Override
  public Optional<Path> localFile() {
    return Optional.of(file);
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
          "warehouse file "
              + file
              + " does not exist: run `mlproof demo init` or pass"
              + " --warehouse=duckdb:<path to .duckdb file>");
    }
    try (Connection ignored = connect()) {
      // opening it is the check
    } catch (SQLException e) {
      throw new InvalidInputException(
          "warehouse file "
              + file
              + " cannot be opened as a DuckDB database ("
              + firstLine(e)
              + "): pass --warehouse=duckdb:<path to a .duckdb file>",
          e);
    }
  }

  @Override
  public List<String> tables() {
    String sql =
        "SELECT table_name FROM information_schema.tables"
            + " WHERE table_schema = 'main' ORDER BY table_name";
    List<String> names = new ArrayList<>();
    try (Connection c = open();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new InvalidInputException(
          "cannot list the tables of " + spec() + ": " + firstLine(e), e);
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
      checkPartitionMarkers(c, sql);
      StringBuilder plan = new StringBuilder();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("EXPLAIN " + sql.sql())) {
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
   * A marker's column must bind in the scan it filters, and each marker must become a parameter (a
   * marker in a comment or a string would not, and the part's number would not bind); the whole
   * query (markers as {@code TRUE}) cannot tell, so the split form is prepared too. Preparing runs
   * nothing.
   */
  private void checkPartitionMarkers(Connection c, RenderedSql sql) throws SQLException {
    if (sql.partitionMarkers().isEmpty()) {
      return;
    }
    String column = sql.partitionMarkers().get(0).column();
    try (PreparedStatement split = c.prepareStatement(partFilter(sql, column, 2))) {
      int parameters = split.getParameterMetaData().getParameterCount();
      if (parameters != sql.partitionMarkers().size()) {
        throw new InvalidInputException(
            "template "
                + sql.template()
                + " has "
                + sql.partitionMarkers().size()
                + " partition markers but the query has "
                + parameters
                + " parameters for them (a marker in a -- comment or a string is none): write"
                + " partition('"
                + column
                + "') only in scans' WHERE");
      }
    } catch (SQLException e) {
      throw new InvalidInputException(
          "template "
              + sql.template()
              + ": partition('"
              + column
              + "') does not run on DuckDB ("
              + firstLine(e)
              + "): put the marker only in the WHERE of scans that have a column "
              + column,
          e);
    }
  }

  /**
   * Reads the query as {@code partitions} disjoint parts by {@code hash(key) % partitions}, one
   * connection per part. DuckDB's {@code hash} gives equal integers of any width one value and NULL
   * a value of its own, so every row lands in exactly one part.
   *
   * <p>A template with {@code {{ partition('key') }}} markers gets the part's filter where they
   * stand, in its scans: below its aggregations and joins, so a part reads and aggregates only its
   * share of the raw rows. Any other query is nested in {@code SELECT * FROM (...) WHERE hash(key)
   * % n = ?}, which DuckDB pushes into a plain query's scan but keeps above a join or aggregation:
   * there every part computes the whole query (docs/WAREHOUSE.md, "Parallel reads").
   */
  @Override
  public <T> PTransform<PBegin, PCollection<T>> readPartitioned(
      RenderedSql sql, String key, int partitions, SqlRowMapper<T> mapper, Coder<T> coder) {
    Optional<String> marked = sql.partitionColumn(key);
    if (partitions <= 1) {
      return read(sql, mapper, coder);
    }
    SingleStatement.require(sql, Dialect.DUCKDB);
    if (marked.isPresent()) {
      return new ReadPartitions<>(
          url(),
          partFilter(sql, key, partitions),
          sql.partitionMarkers().size(),
          partitions,
          mapper,
          coder);
    }
    String query =
        "SELECT * FROM (\n"
            + SingleStatement.withoutTrailingSemicolon(sql.sql(), false)
            + "\n) AS mlproof_rows WHERE "
            + partPredicate("mlproof_rows." + tableReference(key), partitions);
    return new ReadPartitions<>(url(), query, 1, partitions, mapper, coder);
  }

  /** The query with each marker replaced by the part's filter, the part number a parameter. */
  private String partFilter(RenderedSql sql, String key, int partitions) {
    return sql.withPartitionFilter("(" + partPredicate(tableReference(key), partitions) + ")");
  }

  /**
   * One part of {@code partitions} by {@code column} (a checked, quoted name): {@code ?} is its
   * number.
   */
  private static String partPredicate(String column, int partitions) {
    return "hash(" + column + ") % " + partitions + " = ?";
  }

  /** The partitions' numbers, spread over the workers, each read on a connection of its own. */
  private static final class ReadPartitions<T> extends PTransform<PBegin, PCollection<T>> {
    private static final long serialVersionUID = 1L;
    private final String url;
    private final String query;
    private final int parameters;
    private final int partitions;
    private final SqlRowMapper<T> mapper;
    private final Coder<T> coder;

    /** {@code parameters}: how many {@code ?} in {@code query} each take the part's number. */
    ReadPartitions(
        String url,
        String query,
        int parameters,
        int partitions,
        SqlRowMapper<T> mapper,
        Coder<T> coder) {
      this.url = url;
      this.query = query;
      this.parameters = parameters;
      this.partitions = partitions;
      this.mapper = mapper;
      this.coder = coder;
    }

    @Override
    public PCollection<T> expand(PBegin input) {
      int parameters = this.parameters;
      return input
          .apply("Partitions", Create.of(IntStream.range(0, partitions).boxed().toList()))
          // Random keys spread the few partition numbers over the workers; each read then runs,
          // parses and writes where its number landed.
          .apply("SpreadPartitions", Reshuffle.viaRandomKey())
          .apply(
              "ReadPartition",
              JdbcIO.<Integer, T>readAll()
                  .withDataSourceProviderFn(new ReadOnlyDataSource(url))
                  .withQuery(query)
                  .withParameterSetter(
                      (Integer partition, PreparedStatement statement) -> {
                        for (int i = 1; i <= parameters; i++) {
                          statement.setInt(i, partition);
                        }
                      })
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
    try (Connection c = open();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql.sql())) {
      JdbcRows.Layout layout = new JdbcRows.Layout(rs.getMetaData());
      while (rs.next()) {
        if (rows.size() == MAX_QUERY_ROWS) {
          throw new InvalidInputException(
              "template "
                  + sql.template()
                  + " returned more than "
                  + MAX_QUERY_ROWS
                  + " rows: queryRows is for small lookups, read large results in a pipeline");
        }
        rows.add(layout.read(rs));
      }
    } catch (SQLException e) {
      throw queryError(sql, e);
    }
    return rows;
  }

  @Override
  public QueryTable queryTable(RenderedSql sql) {
    SingleStatement.require(sql, Dialect.DUCKDB);
    try (Connection c = open();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql.sql())) {
      ResultSetMetaData meta = rs.getMetaData();
      int n = meta.getColumnCount();
      ColumnReader[] readers = new ColumnReader[n];
      for (int i = 0; i < n; i++) {
        readers[i] = ColumnReader.of(meta, i + 1, sql.template());
      }
      int rows = 0;
      while (rs.next()) {
        for (ColumnReader reader : readers) {
          reader.read(rs, rows);
        }
        rows++;
      }
      List<QueryTable.Column> columns = new ArrayList<>();
      for (ColumnReader reader : readers) {
        columns.add(reader.column(rows));
      }
      return new QueryTable(columns, rows);
    } catch (SQLException e) {
      throw queryError(sql, e);
    }
  }

  /** One column of {@link #queryTable}, filled row by row into a growing array. */
  private static final class ColumnReader {
    private final int index;
    private final String name;
    private final Kind kind;
    private double[] numbers;
    private String[] texts;

    private enum Kind {
      NUMERIC,
      BOOLEAN,
      TEXT
    }

    private ColumnReader(int index, String name, Kind kind) {
      this.index = index;
      this.name = name;
      this.kind = kind;
      if (kind == Kind.TEXT) {
        texts = new String[1024];
      } else {
        numbers = new double[1024];
      }
    }

    /** Numbers (and HUGEINT/UBIGINT) as doubles, booleans as 1/0, text as text; dates refused. */
    static ColumnReader of(ResultSetMetaData meta, int column, String template)
        throws SQLException {
      String name = meta.getColumnLabel(column);
      String typeName = meta.getColumnTypeName(column);
      Kind kind =
          switch (meta.getColumnType(column)) {
            case Types.BOOLEAN -> Kind.BOOLEAN;
            case Types.TINYINT,
                Types.SMALLINT,
                Types.INTEGER,
                Types.BIGINT,
                Types.FLOAT,
                Types.REAL,
                Types.DOUBLE,
                Types.DECIMAL,
                Types.NUMERIC ->
                Kind.NUMERIC;
            case Types.DATE,
                Types.TIME,
                Types.TIMESTAMP,
                Types.TIMESTAMP_WITH_TIMEZONE,
                Types.TIME_WITH_TIMEZONE ->
                throw new InvalidInputException(
                    "column "
                        + name
                        + " of "
                        + template
                        + " is a "
                        + typeName
                        + ": turn it into a number in the"
                        + " query (e.g. days since an event) or leave it out");
            default ->
                "HUGEINT".equalsIgnoreCase(typeName) || "UBIGINT".equalsIgnoreCase(typeName)
                    ? Kind.NUMERIC
                    : Kind.TEXT;
          };
      return new ColumnReader(column, name, kind);
    }

    void read(ResultSet rs, int row) throws SQLException {
      if (kind == Kind.TEXT) {
        if (row == texts.length) {
          texts = Arrays.copyOf(texts, row * 2);
        }
        texts[row] = rs.getString(index);
        return;
      }
      if (row == numbers.length) {
        numbers = Arrays.copyOf(numbers, row * 2);
      }
      double v = kind == Kind.BOOLEAN ? (rs.getBoolean(index) ? 1 : 0) : rs.getDouble(index);
      numbers[row] = rs.wasNull() ? Double.NaN : v;
    }

    QueryTable.Column column(int rows) {
      return switch (kind) {
        case TEXT -> new QueryTable.TextColumn(name, Arrays.copyOf(texts, rows));
        case BOOLEAN -> new QueryTable.BooleanColumn(name, Arrays.copyOf(numbers, rows));
        case NUMERIC -> new QueryTable.NumericColumn(name, Arrays.copyOf(numbers, rows));
      };
    }
  }

  @Override
  public void checkWritable(WarehouseTable table, String option) {
    SqlIdentifiers.checkName(table.name(), option);
    checkAvailable(); // a misspelled path must not become a new, empty warehouse
    List<String> expected =
        table.columns().stream().map(c -> c.name() + " " + c.type().duckDb()).toList();
    List<String> existing = new ArrayList<>();
    try (Connection c = open();
        PreparedStatement query =
            c.prepareStatement(
                "SELECT column_name, data_type FROM information_schema.columns"
                    + " WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position")) {
      query.setString(1, table.name());
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          existing.add(rs.getString(1) + " " + rs.getString(2));
        }
      }
    } catch (SQLException e) {
      throw new InvalidInputException(
          "cannot read the columns of table "
              + table.name()
              + " in "
              + spec()
              + ": "
              + firstLine(e),
          e);
    }
    if (!existing.isEmpty() && !existing.equals(expected)) {
      throw new InvalidInputException(
          option
              + "="
              + table.name()
              + " names an existing table with columns "
              + existing
              + ", not a "
              + table.kind()
              + " table "
              + expected
              + ": choose another "
              + option);
    }
  }

  /**
   * The only read-write connection mlproof opens: create the table if needed, delete the key's rows
   * and append the new ones with DuckDB's appender, every write in one transaction.
   */
  @Override
  public void replaceRows(List<TableWrite> writes, PipelineOptions options) {
    for (TableWrite write : writes) {
      checkWritable(write.table(), "table");
    }
    try (Connection c = DriverManager.getConnection(url())) {
      c.setAutoCommit(false);
      for (TableWrite write : writes) {
        replace(c, write);
      }
      c.commit();
    } catch (SQLException e) {
      throw new RunFailedException(
          "cannot write table(s) "
              + writes.stream().map(w -> w.table().name()).distinct().toList()
              + " in "
              + spec()
              + ": "
              + firstLine(e),
          e);
    }
  }

  private static void replace(Connection c, TableWrite write) throws SQLException {
    WarehouseTable table = write.table();
    String quoted = '"' + table.name() + '"'; // a checked plain name, quoted so a keyword works too
    String columns =
        table.columns().stream()
            .map(
                col ->
                    '"'
                        + col.name()
                        + "\" "
                        + col.type().duckDb()
                        + (col.required() ? " NOT NULL" : ""))
            .collect(Collectors.joining(", "));
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS " + quoted + " (" + columns + ")");
    }
    try (PreparedStatement delete =
        c.prepareStatement("DELETE FROM " + quoted + " WHERE \"" + table.keyColumn() + "\" = ?")) {
      delete.setObject(1, write.key());
      delete.executeUpdate();
    }
    try (DuckDBAppender appender =
        c.unwrap(DuckDBConnection.class).createAppender("main", table.name())) {
      for (List<Object> row : write.rows()) {
        appender.beginRow();
        for (Object value : row) {
          append(appender, value);
        }
        appender.endRow();
      }
    }
  }

  private static void append(DuckDBAppender appender, Object value) throws SQLException {
    if (value == null) {
      appender.appendNull();
    } else if (value instanceof String v) {
      appender.append(v);
    } else if (value instanceof Double v) {
      appender.append(v.doubleValue());
    } else if (value instanceof Long v) {
      appender.append(v.longValue());
    } else if (value instanceof Integer v) {
      appender.append(v.intValue());
    } else if (value instanceof Boolean v) {
      appender.append(v.booleanValue());
    } else if (value instanceof LocalDate v) {
      appender.append(v);
    } else {
      throw new IllegalArgumentException("no DuckDB type for " + value.getClass());
    }
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
   * Every connection reads only: read-only, no access to other files or the network (no {@code COPY
   * ... TO}, {@code ATTACH}, {@code read_csv} of local files, extension loading), and the
   * configuration locked so a query cannot turn these back on (issue 10 item 9).
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
        "template "
            + sql.template()
            + " does not run on DuckDB ("
            + firstLine(e)
            + "): fix the template",
        e);
  }

  private static String firstLine(SQLException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.lines().filter(line -> !line.isBlank()).findFirst().orElse(message).trim();
  }
}
