package io.mlproof.pipelines.train;

import io.mlproof.pipelines.evaluate.Numbers;
import java.util.List;

/**
 * Runs one query in the warehouse, in the driver, and returns the whole result by column.
 *
 * <p>The swap point for the shared warehouse API: {@link DuckDbTableQuery} reads DuckDB over plain
 * JDBC until {@code io.mlproof.pipelines.warehouse.Warehouse}'s driver-side query helper replaces
 * it (and brings BigQuery).
 */
public interface TableQuery {

  Table run(String sql);

  /** A query result: columns in query order. */
  record Table(List<Column> columns, int rows) {
    public Column column(String name) {
      return columns.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    public List<String> names() {
      return columns.stream().map(Column::name).toList();
    }
  }

  /** One result column: numbers (NaN = NULL), booleans or text (null = NULL). */
  sealed interface Column permits NumericColumn, BooleanColumn, TextColumn {
    String name();

    /** The value as text, for ids and labels; null when missing. */
    String text(int row);

    /** The column's kind in words, for error messages: NUMERIC, BOOLEAN or TEXT. */
    String type();
  }

  record NumericColumn(String name, double[] values) implements Column {
    @Override
    public String text(int row) {
      double v = values[row];
      return Double.isNaN(v) ? null : Numbers.plain(v);
    }

    @Override
    public String type() {
      return "NUMERIC";
    }
  }

  /** A BOOLEAN column as 1 (true), 0 (false) or NaN (NULL): a 0/1 feature, or a label. */
  record BooleanColumn(String name, double[] values) implements Column {
    @Override
    public String text(int row) {
      double v = values[row];
      return Double.isNaN(v) ? null : Boolean.toString(v != 0);
    }

    @Override
    public String type() {
      return "BOOLEAN";
    }
  }

  record TextColumn(String name, String[] values) implements Column {
    @Override
    public String text(int row) {
      return values[row];
    }

    @Override
    public String type() {
      return "TEXT";
    }
  }
}
