package io.mlproof.pipelines.sql;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * SQL literals built from already-parsed values. The same text means the same value on DuckDB and
 * BigQuery: {@code DATE 'yyyy-mm-dd'}, {@code TIMESTAMP 'yyyy-mm-dd hh:mm:ss[.ffffff]'} (UTC on
 * both: BigQuery reads an offset-less timestamp literal as UTC, and the DuckDB tables hold UTC wall
 * times), integers and decimals in plain notation, {@code TRUE}/{@code FALSE}.
 */
public final class SqlLiterals {

  /**
   * Text allowed inside a string literal: no quote, backslash, newline or semicolon can appear, so
   * the literal cannot be closed early or escaped on either engine.
   */
  public static final Pattern SAFE_STRING = Pattern.compile("[A-Za-z0-9 _.,:@/%+-]{0,256}");

  private static final LocalDate MIN_DATE = LocalDate.of(1, 1, 1);
  private static final LocalDate MAX_DATE = LocalDate.of(9999, 12, 31);
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");

  private SqlLiterals() {}

  public static String date(LocalDate date) {
    checkRange(date);
    return "DATE '" + date + "'";
  }

  /** A UTC timestamp at microsecond precision, the precision both engines store. */
  public static String timestamp(Instant instant) {
    LocalDateTime utc = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    checkRange(utc.toLocalDate());
    if (instant.getNano() % 1_000 != 0) {
      throw new IllegalArgumentException("timestamp " + instant + " is finer than microseconds");
    }
    String text = SECONDS.format(utc);
    if (utc.getNano() != 0) {
      text += String.format(".%06d", utc.getNano() / 1_000);
    }
    return "TIMESTAMP '" + text + "'";
  }

  /** Negative numbers are parenthesised so that {@code x -{{ n }}} cannot become a comment. */
  public static String integer(long value) {
    return value < 0 ? "(" + value + ")" : Long.toString(value);
  }

  public static String decimal(BigDecimal value) {
    String plain = value.stripTrailingZeros().toPlainString();
    return value.signum() < 0 ? "(" + plain + ")" : plain;
  }

  public static String bool(boolean value) {
    return value ? "TRUE" : "FALSE";
  }

  /** A string literal, or empty when the text is outside {@link #SAFE_STRING}. */
  public static Optional<String> string(String value) {
    if (value == null || !SAFE_STRING.matcher(value).matches()) {
      return Optional.empty();
    }
    return Optional.of("'" + value + "'");
  }

  private static void checkRange(LocalDate date) {
    if (date.isBefore(MIN_DATE) || date.isAfter(MAX_DATE)) {
      throw new IllegalArgumentException("date " + date + " is outside 0001-01-01..9999-12-31");
    }
  }
}
