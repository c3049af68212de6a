package io.mlproof.pipelines.warehouse;

import io.mlproof.pipelines.evaluate.Numbers;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole query result in the driver, by column ({@link Warehouse#queryTable}): numbers as {@code
 * double[]} (NaN = NULL), booleans as 1/0 (NaN = NULL), everything else as text (null = NULL). What
 * train's {@code --examplesQuery} reads.
 */
public record QueryTable(List<Column> columns, int rows) {

  public QueryTable {
    columns = List.copyOf(columns);
  }

  /** The column of that name, or null. */
  public Column column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
  }

  public List<String> names() {
    return columns.stream().map(Column::name).toList();
  }

  /**
   * By column from rows, for engines without a columnar reader (BigQuery): a column is numeric when
   * every non-NULL value is a number or a boolean (true = 1), BOOLEAN when they are all booleans,
   * text otherwise.
   */
  public static QueryTable of(List<ResultRow> rows) {
    if (rows.isEmpty()) {
      return new QueryTable(List.of(), 0);
    }
    List<Column> columns = new ArrayList<>();
    for (String name : rows.get(0).columnNames()) {
      List<Object> values = rows.stream().map(r -> r.get(name)).toList();
      columns.add(
          values.stream().allMatch(v -> v == null || v instanceof Number || v instanceof Boolean)
              ? numeric(name, values)
              : text(name, values));
    }
    return new QueryTable(columns, rows.size());
  }

  private static Column numeric(String name, List<Object> values) {
    double[] numbers = new double[values.size()];
    for (int i = 0; i < numbers.length; i++) {
      Object v = values.get(i);
      numbers[i] =
          v == null
              ? Double.NaN
              : v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue();
    }
    boolean bool = values.stream().allMatch(v -> v == null || v instanceof Boolean);
    return bool ? new BooleanColumn(name, numbers) : new NumericColumn(name, numbers);
  }

  private static Column text(String name, List<Object> values) {
    return new TextColumn(
        name, values.stream().map(v -> v == null ? null : v.toString()).toArray(String[]::new));
  }

  /** One result column: numbers (NaN = NULL), booleans or text (null = NULL). */
  public sealed interface Column permits NumericColumn, BooleanColumn, TextColumn {
    String name();

    /** The value as text, for ids and labels; null when missing. */
    String text(int row);

    /** The column's kind in words, for error messages: NUMERIC, BOOLEAN or TEXT. */
    String type();
  }

  public record NumericColumn(String name, double[] values) implements Column {
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
  public record BooleanColumn(String name, double[] values) implements Column {
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

  public record TextColumn(String name, String[] values) implements Column {
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
