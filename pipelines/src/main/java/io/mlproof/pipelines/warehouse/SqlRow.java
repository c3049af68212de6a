package io.mlproof.pipelines.warehouse;

import io.mlproof.pipelines.core.InvalidInputException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One result row, the same on every engine. Values are normalised when read: integers are {@link
 * Long}, floating point {@link Double}, NUMERIC/DECIMAL {@link BigDecimal}, text {@link String},
 * booleans {@link Boolean}, TIMESTAMP {@link Instant} (UTC, microseconds), DATE {@link LocalDate},
 * SQL NULL {@code null}.
 *
 * <p>The typed getters convert where no information is lost (an integer column read as a decimal, a
 * TIMESTAMP read as epoch microseconds) and otherwise fail with a message naming the column: a type
 * mismatch is a template bug, not a bad row.
 */
public interface SqlRow {

  /** How SQL NULL reads as text, e.g. in a dead letter's original columns. */
  String NULL_TEXT = "<null>";

  /** Result columns, in query order. */
  List<String> columnNames();

  /** The normalised value of {@code column}, {@code null} for SQL NULL. */
  Object get(String column);

  default boolean isNull(String column) {
    return get(column) == null;
  }

  default long getLong(String column) {
    Object value = nonNull(column);
    if (value instanceof Long l) {
      return l;
    }
    if (value instanceof BigDecimal d && d.stripTrailingZeros().scale() <= 0) {
      return d.longValueExact();
    }
    throw typeError(column, value, "an integer");
  }

  default double getDouble(String column) {
    Object value = nonNull(column);
    if (value instanceof Double d) {
      return d;
    }
    if (value instanceof Long l) {
      return l;
    }
    if (value instanceof BigDecimal d) {
      return d.doubleValue();
    }
    throw typeError(column, value, "a number");
  }

  default BigDecimal getDecimal(String column) {
    Object value = nonNull(column);
    if (value instanceof BigDecimal d) {
      return d;
    }
    if (value instanceof Long l) {
      return BigDecimal.valueOf(l);
    }
    throw typeError(column, value, "a decimal");
  }

  /** A money column as integer cents, rounding half-even below a cent. */
  default long getCents(String column) {
    return getDecimal(column)
        .movePointRight(2)
        .setScale(0, RoundingMode.HALF_EVEN)
        .longValueExact();
  }

  default String getString(String column) {
    Object value = nonNull(column);
    if (value instanceof String s) {
      return s;
    }
    throw typeError(column, value, "text");
  }

  default boolean getBoolean(String column) {
    Object value = nonNull(column);
    if (value instanceof Boolean b) {
      return b;
    }
    throw typeError(column, value, "a boolean");
  }

  /** A TIMESTAMP column (or an integer column already holding epoch microseconds). */
  default long getTimestampMicros(String column) {
    Object value = nonNull(column);
    if (value instanceof Instant i) {
      return SqlValues.micros(i);
    }
    if (value instanceof Long l) {
      return l;
    }
    throw typeError(column, value, "a timestamp");
  }

  /** A DATE column as days since 1970-01-01 (or an integer column already holding them). */
  default long getEpochDay(String column) {
    Object value = nonNull(column);
    if (value instanceof LocalDate d) {
      return d.toEpochDay();
    }
    if (value instanceof Long l) {
      return l;
    }
    throw typeError(column, value, "a date");
  }

  /** The value as text: ISO-8601 times and dates, plain decimals, {@link #NULL_TEXT} for NULL. */
  default String getText(String column) {
    return SqlValues.text(get(column));
  }

  /** Every column as text, in query order. */
  default Map<String, String> toText() {
    Map<String, String> text = new LinkedHashMap<>();
    for (String column : columnNames()) {
      text.put(column, getText(column));
    }
    return text;
  }

  private Object nonNull(String column) {
    Object value = get(column);
    if (value == null) {
      throw new IllegalStateException("column '" + column + "' is NULL: check isNull first");
    }
    return value;
  }

  private static InvalidInputException typeError(String column, Object value, String expected) {
    return new InvalidInputException(
        "column '"
            + column
            + "' holds "
            + SqlValues.kind(value)
            + ", not "
            + expected
            + ": fix the template's SELECT (or CAST the column)");
  }
}
