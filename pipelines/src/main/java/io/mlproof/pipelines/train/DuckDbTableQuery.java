package io.mlproof.pipelines.train;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.sql.RenderedSql;
import io.mlproof.pipelines.warehouse.Dialect;
import io.mlproof.pipelines.warehouse.DuckDbWarehouse;
import io.mlproof.pipelines.warehouse.SingleStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/** {@link TableQuery} on an embedded DuckDB file over JDBC, opened read-only. */
public final class DuckDbTableQuery implements TableQuery {
  private final String path;

  public DuckDbTableQuery(String path) {
    this.path = path;
  }

  /** The DuckDB file of a {@code duckdb:<path>} warehouse URI. */
  public static DuckDbTableQuery forWarehouse(String warehouse) {
    if (!warehouse.startsWith("duckdb:")) {
      throw new InvalidInputException(
          "--warehouse=" + warehouse + " is not supported by train's --examplesQuery yet: use"
              + " duckdb:<file> (BigQuery comes with the shared warehouse API)");
    }
    return new DuckDbTableQuery(warehouse.substring("duckdb:".length()));
  }

  @Override
  public Table run(String sql) {
    if (!new java.io.File(path).isFile()) {
      throw new InvalidInputException("DuckDB warehouse " + path + " does not exist: run `mlproof demo init` or fix --warehouse");
    }
    // The warehouse's hardened read connection: read-only, no other files, settings locked.
    SingleStatement.require(new RenderedSql("--examplesQuery", sql, Set.of()), Dialect.DUCKDB);
    Properties properties = DuckDbWarehouse.connectionProperties();
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + path, properties);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      ResultSetMetaData meta = rs.getMetaData();
      int n = meta.getColumnCount();
      boolean[] numeric = new boolean[n];
      boolean[] bool = new boolean[n];
      for (int c = 0; c < n; c++) {
        numeric[c] = kind(meta, c + 1);
        bool[c] = meta.getColumnType(c + 1) == Types.BOOLEAN;
      }
      List<double[]> numbers = new ArrayList<>();
      List<String[]> texts = new ArrayList<>();
      for (int c = 0; c < n; c++) {
        numbers.add(numeric[c] ? new double[1024] : null);
        texts.add(numeric[c] ? null : new String[1024]);
      }
      int rows = 0;
      while (rs.next()) {
        for (int c = 0; c < n; c++) {
          if (numeric[c]) {
            double[] col = numbers.get(c);
            if (rows == col.length) {
              numbers.set(c, col = Arrays.copyOf(col, rows * 2));
            }
            // Booleans are 1/0 here; BooleanColumn gives them back as true/false for labels.
            double v = bool[c] ? (rs.getBoolean(c + 1) ? 1 : 0) : rs.getDouble(c + 1);
            col[rows] = rs.wasNull() ? Double.NaN : v;
          } else {
            String[] col = texts.get(c);
            if (rows == col.length) {
              texts.set(c, col = Arrays.copyOf(col, rows * 2));
            }
            col[rows] = rs.getString(c + 1);
          }
        }
        rows++;
      }
      List<Column> columns = new ArrayList<>();
      for (int c = 0; c < n; c++) {
        String name = meta.getColumnLabel(c + 1);
        columns.add(!numeric[c] ? new TextColumn(name, Arrays.copyOf(texts.get(c), rows))
            : bool[c] ? new BooleanColumn(name, Arrays.copyOf(numbers.get(c), rows))
            : new NumericColumn(name, Arrays.copyOf(numbers.get(c), rows)));
      }
      return new Table(columns, rows);
    } catch (SQLException e) {
      throw new InvalidInputException(
          "the examples query failed in DuckDB " + path + ": " + e.getMessage().lines().findFirst().orElse("")
              + " (fix --examplesQuery)", e);
    }
  }

  /** True for numeric columns (read as doubles), false for text; dates are refused. */
  private static boolean kind(ResultSetMetaData meta, int column) throws SQLException {
    return switch (meta.getColumnType(column)) {
      case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT, Types.FLOAT, Types.REAL,
          Types.DOUBLE, Types.DECIMAL, Types.NUMERIC, Types.BOOLEAN -> true;
      case Types.DATE, Types.TIME, Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE,
          Types.TIME_WITH_TIMEZONE -> throw new InvalidInputException(
              "column " + meta.getColumnLabel(column) + " of the examples query is a "
                  + meta.getColumnTypeName(column) + ": turn it into a number in the query (e.g. days"
                  + " since an event) or leave it out");
      default -> "HUGEINT".equalsIgnoreCase(meta.getColumnTypeName(column))
          || "UBIGINT".equalsIgnoreCase(meta.getColumnTypeName(column));
    };
  }
}
