package io.mlproof.pipelines.warehouse;

import io.mlproof.pipelines.core.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable copy of one result row: what {@link Warehouse#read} hands to row mappers, and an
 * element type of its own ({@link ResultRowCoder}) so raw rows can travel through a pipeline before
 * they are parsed (e.g. into dead letters that keep the original columns).
 */
public final class ResultRow implements SqlRow {

  /** Column names and their positions; shared by every row of one result. */
  static final class Columns {
    final List<String> names;
    private final Map<String, Integer> index;

    Columns(List<String> names) {
      this.names = List.copyOf(names);
      this.index = new HashMap<>();
      for (int i = 0; i < this.names.size(); i++) {
        if (index.put(this.names.get(i), i) != null) {
          throw new InvalidInputException(
              "query returns column '"
                  + this.names.get(i)
                  + "' twice: give each column a distinct alias");
        }
      }
    }

    int indexOf(String column) {
      Integer i = index.get(column);
      if (i == null) {
        throw new InvalidInputException(
            "query result has no column '"
                + column
                + "' (it has "
                + String.join(", ", names)
                + "): select it in the template");
      }
      return i;
    }
  }

  private final Columns columns;
  private final Object[] values;

  ResultRow(Columns columns, Object[] values) {
    this.columns = columns;
    this.values = values;
  }

  /** A row from parallel lists of names and normalised values (see {@link SqlRow}). */
  public static ResultRow of(List<String> names, List<?> values) {
    if (names.size() != values.size()) {
      throw new IllegalArgumentException(names.size() + " names for " + values.size() + " values");
    }
    for (Object value : values) {
      if (!SqlValues.isNormalised(value)) {
        throw new IllegalArgumentException(
            "value "
                + value
                + " ("
                + value.getClass().getName()
                + ") is not a normalised SQL value");
      }
    }
    return new ResultRow(new Columns(names), values.toArray());
  }

  /** A copy of any row. */
  public static ResultRow copyOf(SqlRow row) {
    if (row instanceof ResultRow copy) {
      return copy;
    }
    List<Object> values = new ArrayList<>();
    for (String column : row.columnNames()) {
      values.add(row.get(column));
    }
    return of(row.columnNames(), values);
  }

  /**
   * For tests and small lookups: {@code builder().set("event_id", 1L).set("amount", null).build()}.
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public List<String> columnNames() {
    return columns.names;
  }

  @Override
  public Object get(String column) {
    return values[columns.indexOf(column)];
  }

  Columns columns() {
    return columns;
  }

  Object value(int i) {
    return values[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResultRow other
        && columns.names.equals(other.columns.names)
        && Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(columns.names, Arrays.hashCode(values));
  }

  @Override
  public String toString() {
    return toText().toString();
  }

  /** Builds one row column by column. */
  public static final class Builder {
    private final List<String> names = new ArrayList<>();
    private final List<Object> values = new ArrayList<>();

    private Builder() {}

    public Builder set(String column, Object value) {
      names.add(column);
      values.add(value);
      return this;
    }

    public ResultRow build() {
      return of(names, values);
    }
  }
}
