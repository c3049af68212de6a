package io.mlproof.pipelines.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.LogicalDateOptions;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a template may see: Airflow's logical date, the data interval {@code [start, end)} and the
 * DAG's params. Every value is parsed here, once; the renderer only formats parsed values.
 *
 * @param params JSON params as parsed JSON trees; converted to SQL only when a template uses one
 */
public record TemplateContext(
    LocalDate logicalDate,
    Instant dataIntervalStart,
    Instant dataIntervalEnd,
    Map<String, JsonNode> params) {

  static final Pattern DATE_SHAPE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  static final Pattern INSTANT_SHAPE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T.*");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  /**
   * The range of logical dates: wide enough for any business history and plan, narrow enough that
   * every interval, lookback and next fire date computed from one stays far inside Java's and the
   * warehouses' date types (9999-12-31 overflowed interval arithmetic).
   */
  public static final LocalDate EARLIEST_LOGICAL_DATE = LocalDate.of(1900, 1, 1);

  public static final LocalDate LATEST_LOGICAL_DATE = LocalDate.of(2999, 12, 31);

  public TemplateContext {
    checkLogicalDate("the logical date", logicalDate);
    if (!dataIntervalEnd.isAfter(dataIntervalStart)) {
      throw new InvalidInputException(
          "data interval end "
              + dataIntervalEnd
              + " is not after its start "
              + dataIntervalStart
              + ": pass --dataIntervalEnd later than --dataIntervalStart");
    }
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  /** The same context with the interval start moved {@code days} whole days earlier. */
  public TemplateContext withLookbackDays(int days) {
    return new TemplateContext(
        logicalDate,
        dataIntervalStart.minus(java.time.Duration.ofDays(days)),
        dataIntervalEnd,
        params);
  }

  /** A daily interval: {@code [date 00:00Z, date+1 00:00Z)}, no params. */
  public static TemplateContext daily(LocalDate logicalDate) {
    Instant start = logicalDate.atStartOfDay(ZoneOffset.UTC).toInstant();
    return new TemplateContext(
        logicalDate, start, start.plus(java.time.Duration.ofDays(1)), Map.of());
  }

  /**
   * Parses the options the way Airflow defines them: the interval starts at the logical date
   * (midnight UTC) unless given, and spans one day unless an end is given.
   */
  public static TemplateContext from(LogicalDateOptions options) {
    String ds = options.getLogicalDate();
    if (ds == null || ds.isBlank()) {
      throw new InvalidInputException(
          "--logicalDate is required (Airflow's {{ ds }}): pass e.g. --logicalDate=2024-01-07");
    }
    LocalDate logicalDate = parseDate("--logicalDate", ds);
    checkLogicalDate("--logicalDate", logicalDate);
    Instant start =
        options.getDataIntervalStart() == null
            ? logicalDate.atStartOfDay(ZoneOffset.UTC).toInstant()
            : parseInstant("--dataIntervalStart", options.getDataIntervalStart());
    Instant end =
        options.getDataIntervalEnd() == null
            ? start.plus(java.time.Duration.ofDays(1))
            : parseInstant("--dataIntervalEnd", options.getDataIntervalEnd());
    return new TemplateContext(logicalDate, start, end, parseParams(options.getParams()));
  }

  /**
   * Refuses a logical date outside {@link #EARLIEST_LOGICAL_DATE}..{@link #LATEST_LOGICAL_DATE}.
   */
  public static void checkLogicalDate(String what, LocalDate date) {
    if (date.isBefore(EARLIEST_LOGICAL_DATE) || date.isAfter(LATEST_LOGICAL_DATE)) {
      throw new InvalidInputException(
          what
              + " "
              + date
              + " is outside the supported range "
              + EARLIEST_LOGICAL_DATE
              + ".."
              + LATEST_LOGICAL_DATE
              + ": use a date in it");
    }
  }

  /** {@code YYYY-MM-DD}, strictly (no 2024-02-30). */
  public static LocalDate parseDate(String what, String text) {
    try {
      if (text != null && DATE_SHAPE.matcher(text).matches()) {
        return LocalDate.parse(text);
      }
    } catch (DateTimeParseException e) {
      // fall through to the one error below
    }
    throw new InvalidInputException(
        what
            + " '"
            + SqlIdentifiers.Shown.of(text)
            + "' is not a valid date: use YYYY-MM-DD, e.g. 2024-01-07");
  }

  /**
   * {@code YYYY-MM-DD} (midnight UTC) or an ISO-8601 instant with offset, e.g.
   * 2024-01-07T06:00:00Z.
   */
  public static Instant parseInstant(String what, String text) {
    if (text != null && DATE_SHAPE.matcher(text).matches()) {
      return parseDate(what, text).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    try {
      if (text != null && INSTANT_SHAPE.matcher(text).matches()) {
        Instant instant = OffsetDateTime.parse(text).toInstant();
        if (instant.getNano() % 1_000 == 0) {
          return instant;
        }
      }
    } catch (DateTimeParseException e) {
      // fall through to the one error below
    }
    throw new InvalidInputException(
        what
            + " '"
            + SqlIdentifiers.Shown.of(text)
            + "' is not a valid date or time: use YYYY-MM-DD"
            + " or an ISO-8601 time with offset and at most microseconds, e.g. 2024-01-07T06:00:00Z");
  }

  /** The {@code --params} JSON object. */
  public static Map<String, JsonNode> parseParams(String json) {
    if (json == null || json.isBlank()) {
      return Map.of();
    }
    JsonNode tree;
    try {
      tree = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(
          "--params is not valid JSON ("
              + firstLine(e.getOriginalMessage())
              + "): pass a JSON object, e.g. --params={\"lookback_days\":90}");
    }
    if (tree == null || !tree.isObject()) {
      throw new InvalidInputException(
          "--params must be a JSON object, e.g. --params={\"lookback_days\":90}");
    }
    Map<String, JsonNode> params = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      params.put(field.getKey(), field.getValue());
    }
    return params;
  }

  private static String firstLine(String message) {
    return message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
  }
}
