package io.mlproof.pipelines.warehouse;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;

/** Conversions shared by the engine adapters and {@link SqlRow}. */
final class SqlValues {

  private SqlValues() {}

  static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  static Instant fromMicros(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }

  /** Whether {@code value} is one of the normalised types {@link SqlRow} documents. */
  static boolean isNormalised(Object value) {
    return value == null
        || value instanceof Long
        || value instanceof Double
        || value instanceof BigDecimal
        || value instanceof String
        || value instanceof Boolean
        || value instanceof Instant
        || value instanceof LocalDate;
  }

  static String text(Object value) {
    if (value == null) {
      return SqlRow.NULL_TEXT;
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return value.toString();
  }

  /** "text ('abc')", "a timestamp (2024-...)": for type-mismatch messages. */
  static String kind(Object value) {
    String kind;
    if (value instanceof Long) {
      kind = "an integer";
    } else if (value instanceof Double) {
      kind = "a float";
    } else if (value instanceof BigDecimal) {
      kind = "a decimal";
    } else if (value instanceof String) {
      kind = "text";
    } else if (value instanceof Boolean) {
      kind = "a boolean";
    } else if (value instanceof Instant) {
      kind = "a timestamp";
    } else if (value instanceof LocalDate) {
      kind = "a date";
    } else {
      kind = value.getClass().getSimpleName();
    }
    String shown = text(value);
    return kind + " (" + (shown.length() > 40 ? shown.substring(0, 40) + "..." : shown) + ")";
  }
}
