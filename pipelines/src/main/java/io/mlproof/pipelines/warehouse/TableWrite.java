package io.mlproof.pipelines.warehouse;

import java.util.List;

/**
 * One write of {@link Warehouse#replaceRows}: the rows of {@code table} whose key column equals
 * {@code key} are replaced by {@code rows} (each a list of values in column order, typed as {@link
 * WarehouseTable.ColumnType} says). Rows are checked here, so a wrong value is a bug found before
 * the warehouse is touched.
 */
public record TableWrite(WarehouseTable table, Object key, List<List<Object>> rows) {

  public TableWrite {
    rows = List.copyOf(rows);
    check(table.key(), key);
    List<WarehouseTable.Column> columns = table.columns();
    for (List<Object> row : rows) {
      if (row.size() != columns.size()) {
        throw new IllegalArgumentException(
            table.name() + ": row " + row + " does not have " + columns.size() + " values");
      }
      for (int c = 0; c < columns.size(); c++) {
        check(columns.get(c), row.get(c));
      }
    }
  }

  private static void check(WarehouseTable.Column column, Object value) {
    if (value == null ? column.required() : !column.type().javaType().isInstance(value)) {
      throw new IllegalArgumentException(
          "column "
              + column.name()
              + " ("
              + column.type()
              + (column.required() ? ", required" : "")
              + ") cannot hold "
              + (value == null ? "null" : value.getClass().getSimpleName()));
    }
  }
}
