package io.mlproof.orchestrator.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * Types a DAG param may have (Airflow's Param types; {@code date} is a string with format date).
 */
public enum ParamType {
  STRING,
  INTEGER,
  NUMBER,
  BOOLEAN,
  DATE;

  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The value of a JSON value ({@code --conf}) as this type, or empty when it is not one. Values
   * are {@link String}, {@link Long}, {@link BigDecimal}, {@link Boolean} or {@link LocalDate}.
   */
  public Optional<Object> fromJson(JsonNode json) {
    return switch (this) {
      case STRING -> json.isTextual() ? Optional.of(json.textValue()) : Optional.empty();
      case INTEGER ->
          json.isIntegralNumber() && json.canConvertToLong()
              ? Optional.of(json.longValue())
              : Optional.empty();
      case NUMBER ->
          json.isNumber() && !outOfRange(json)
              ? Optional.of(json.decimalValue())
              : Optional.empty();
      case BOOLEAN -> json.isBoolean() ? Optional.of(json.booleanValue()) : Optional.empty();
      case DATE -> json.isTextual() ? parseDate(json.textValue()) : Optional.empty();
    };
  }

  /** Whether {@code json} is a number of this type's kind but too large for it. */
  public boolean outOfRange(JsonNode json) {
    return switch (this) {
      case INTEGER -> json.isIntegralNumber() && !json.canConvertToLong();
      // Jackson reads a float too large for a double (1e400) as an infinite double even when
      // asked for BigDecimals.
      case NUMBER ->
          json.isNumber()
              && (json.isDouble() || json.isFloat()
                  ? !Double.isFinite(json.doubleValue())
                  : !inDoubleRange(json.decimalValue()));
      default -> false;
    };
  }

  /** The values a numeric type holds, for messages. */
  public String range() {
    return this == INTEGER
        ? "whole numbers from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE
        : "at most " + Double.MAX_VALUE + " in size, what every pipeline can read";
  }

  // Pipelines read numbers as doubles: a larger one would become Infinity there.
  private static boolean inDoubleRange(BigDecimal value) {
    return value.abs().compareTo(new BigDecimal(Double.MAX_VALUE)) <= 0;
  }

  static Optional<Object> parseDate(String text) {
    try {
      return Optional.of(LocalDate.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** How a value of this type appears in templates and on command lines. */
  public static String render(Object value) {
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    return String.valueOf(value);
  }
}
