package io.mlproof.pipelines.train;

import io.mlproof.pipelines.sql.RenderedSql;
import io.mlproof.pipelines.warehouse.ResultRow;
import io.mlproof.pipelines.warehouse.Warehouse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@link TableQuery} through the shared warehouse API's driver-side query ({@code
 * Warehouse.queryRows}): how {@code --examplesQuery} reaches BigQuery. Bounded by that API's row
 * limit (100,000 rows); DuckDB keeps its faster columnar JDBC reader ({@link DuckDbTableQuery}).
 *
 * <p>A column is numeric when every non-NULL value is a number or a boolean (true = 1), text
 * otherwise (categorical downstream); a column of booleans only (and NULLs) is BOOLEAN.
 */
public final class WarehouseTableQuery implements TableQuery {
  private final Warehouse warehouse;

  public WarehouseTableQuery(Warehouse warehouse) {
    this.warehouse = warehouse;
  }

  @Override
  public Table run(String sql) {
    List<ResultRow> rows = warehouse.queryRows(new RenderedSql("--examplesQuery", sql, Set.of()));
    if (rows.isEmpty()) {
      return new Table(List.of(), 0);
    }
    List<Column> columns = new ArrayList<>();
    for (String name : rows.get(0).columnNames()) {
      columns.add(isNumeric(rows, name) ? numeric(rows, name) : text(rows, name));
    }
    return new Table(columns, rows.size());
  }

  private static boolean isNumeric(List<ResultRow> rows, String name) {
    return rows.stream().map(r -> r.get(name)).allMatch(v -> v == null || v instanceof Number || v instanceof Boolean);
  }

  private static Column numeric(List<ResultRow> rows, String name) {
    boolean bool = rows.stream().map(r -> r.get(name)).allMatch(v -> v == null || v instanceof Boolean);
    double[] values = new double[rows.size()];
    for (int i = 0; i < values.length; i++) {
      Object v = rows.get(i).get(name);
      values[i] = v == null ? Double.NaN
          : v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue();
    }
    return bool ? new BooleanColumn(name, values) : new NumericColumn(name, values);
  }

  private static Column text(List<ResultRow> rows, String name) {
    String[] values = new String[rows.size()];
    for (int i = 0; i < values.length; i++) {
      Object v = rows.get(i).get(name);
      values[i] = v == null ? null : v.toString();
    }
    return new TextColumn(name, values);
  }
}
