package io.mlproof.pipelines.warehouse;

import java.util.List;
import java.util.Objects;

/**
 * A table mlproof writes ({@link Warehouse#replaceRows}): its name, what it holds (for messages),
 * its columns in order and the key column whose value one write replaces (a scores table is keyed
 * by its day, an assignments table by its experiment), so a re-run replaces rows and never
 * duplicates them.
 */
public record WarehouseTable(String name, String kind, List<Column> columns, String keyColumn) {

  public WarehouseTable {
    columns = List.copyOf(columns);
    if (columns.stream().noneMatch(c -> c.name().equals(keyColumn))) {
      throw new IllegalArgumentException(
          "key column " + keyColumn + " is not a column of " + columns);
    }
  }

  /** The same layout under another table name (the name comes from an option). */
  public WarehouseTable named(String newName) {
    return new WarehouseTable(newName, kind, columns, keyColumn);
  }

  public Column key() {
    return columns.stream().filter(c -> c.name().equals(keyColumn)).findFirst().orElseThrow();
  }

  /** One column; {@code required} columns are NOT NULL (BigQuery mode REQUIRED). */
  public record Column(String name, ColumnType type, boolean required) {
    public Column {
      Objects.requireNonNull(name);
      Objects.requireNonNull(type);
    }

    public static Column required(String name, ColumnType type) {
      return new Column(name, type, true);
    }

    public static Column nullable(String name, ColumnType type) {
      return new Column(name, type, false);
    }
  }

  /**
   * Column types with their name in each engine, and the Java value a row holds for them: String,
   * Double, Long, Integer, Boolean, LocalDate (or null where the column is nullable).
   */
  public enum ColumnType {
    STRING("VARCHAR", "STRING", String.class),
    DOUBLE("DOUBLE", "FLOAT64", Double.class),
    INT64("BIGINT", "INT64", Long.class),
    INT32("INTEGER", "INT64", Integer.class),
    BOOLEAN("BOOLEAN", "BOOL", Boolean.class),
    DATE("DATE", "DATE", java.time.LocalDate.class);

    private final String duckDb;
    private final String bigQuery;
    private final Class<?> javaType;

    ColumnType(String duckDb, String bigQuery, Class<?> javaType) {
      this.duckDb = duckDb;
      this.bigQuery = bigQuery;
      this.javaType = javaType;
    }

    public String duckDb() {
      return duckDb;
    }

    public String bigQuery() {
      return bigQuery;
    }

    public Class<?> javaType() {
      return javaType;
    }
  }
}
