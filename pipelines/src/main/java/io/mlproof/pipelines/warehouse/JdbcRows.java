package io.mlproof.pipelines.warehouse;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.io.jdbc.JdbcIO;

/** Copies JDBC result rows into {@link ResultRow}s, reading each column with its typed getter. */
final class JdbcRows {

  /**
   * DuckDB's TIMESTAMP and TIMESTAMPTZ are stored as UTC epoch microseconds, and its JDBC {@code
   * getLong} returns exactly that (DuckDBVector.getLong reads the stored 8 bytes for these types).
   * It is ~4x faster than {@code getObject(i, LocalDateTime.class)} (docs/bench/extract.md), so
   * templates can select raw TIMESTAMP columns and stay portable. Other precisions
   * (TIMESTAMP_NS/_MS/_S) take the generic path.
   */
  private static final Set<String> MICROS_TIMESTAMPS =
      Set.of("TIMESTAMP", "TIMESTAMP WITH TIME ZONE");

  /** Marks a column read through the epoch-microseconds fast path; not a java.sql.Types code. */
  private static final int EPOCH_MICROS = Integer.MIN_VALUE;

  private JdbcRows() {}

  /** The columns of one result set and how to read each; computed once per result set. */
  static final class Layout {
    final ResultRow.Columns columns;
    private final int[] sqlTypes;

    Layout(ResultSetMetaData meta) throws SQLException {
      List<String> names = new ArrayList<>();
      sqlTypes = new int[meta.getColumnCount()];
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        names.add(meta.getColumnLabel(i));
        sqlTypes[i - 1] =
            MICROS_TIMESTAMPS.contains(meta.getColumnTypeName(i))
                ? EPOCH_MICROS
                : meta.getColumnType(i);
      }
      columns = new ResultRow.Columns(names);
    }

    ResultRow read(ResultSet rs) throws SQLException {
      Object[] values = new Object[sqlTypes.length];
      for (int i = 0; i < sqlTypes.length; i++) {
        values[i] = value(rs, i + 1, sqlTypes[i]);
      }
      return new ResultRow(columns, values);
    }
  }

  static List<SqlColumn> columns(ResultSetMetaData meta) throws SQLException {
    List<SqlColumn> columns = new ArrayList<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      columns.add(new SqlColumn(meta.getColumnLabel(i), meta.getColumnTypeName(i)));
    }
    return columns;
  }

  private static Object value(ResultSet rs, int i, int sqlType) throws SQLException {
    Object value;
    switch (sqlType) {
      case EPOCH_MICROS -> value = SqlValues.fromMicros(rs.getLong(i));
      case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> value = rs.getLong(i);
      case Types.DOUBLE, Types.FLOAT, Types.REAL -> value = rs.getDouble(i);
      case Types.DECIMAL, Types.NUMERIC -> value = rs.getBigDecimal(i);
      case Types.BOOLEAN, Types.BIT -> value = rs.getBoolean(i);
      case Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR -> value = rs.getString(i);
      // DuckDB's TIMESTAMP has no zone; the warehouse contract stores UTC wall times.
      case Types.TIMESTAMP -> value = utc(rs.getObject(i, LocalDateTime.class));
      case Types.TIMESTAMP_WITH_TIMEZONE -> value = instant(rs.getObject(i, OffsetDateTime.class));
      case Types.DATE -> value = rs.getObject(i, LocalDate.class);
      default -> value = normalise(rs.getObject(i));
    }
    return rs.wasNull() ? null : value;
  }

  private static Object utc(LocalDateTime time) {
    return time == null ? null : time.toInstant(ZoneOffset.UTC);
  }

  private static Object instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }

  /**
   * Engine-specific Java types (DuckDB's HUGEINT sums arrive as BigInteger) to the normalised ones.
   */
  private static Object normalise(Object value) {
    if (value instanceof BigInteger big) {
      return big.bitLength() < 64 ? (Object) big.longValue() : new BigDecimal(big);
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    if (value == null || SqlValues.isNormalised(value)) {
      return value;
    }
    return value.toString();
  }

  /** JdbcIO's row mapper: one {@link Layout} per result set, then the user's mapper per row. */
  static final class Mapper<T> implements JdbcIO.RowMapper<T> {
    private static final long serialVersionUID = 1L;
    private final SqlRowMapper<T> mapper;
    private transient ResultSet current;
    private transient Layout layout;

    Mapper(SqlRowMapper<T> mapper) {
      this.mapper = mapper;
    }

    @Override
    public T mapRow(ResultSet rs) throws Exception {
      if (rs != current) {
        layout = new Layout(rs.getMetaData());
        current = rs;
      }
      return mapper.map(layout.read(rs));
    }
  }
}
