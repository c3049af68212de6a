package io.mlproof.orchestrator.dag;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.field.CronFieldName;
import com.cronutils.model.field.expression.On;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.mlproof.orchestrator.core.RunDates;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A DAG's schedule: a Unix cron expression or one of Airflow's presets, in UTC.
 *
 * <p>Runs are keyed by their logical date ({@code ds}), so a schedule may fire at most once a day:
 * its minute and hour fields must be single values. Fire times are computed by cron-utils.
 */
public final class Schedule {

  /** Airflow's presets and the cron expressions they stand for. */
  public static final Map<String, String> PRESETS = presets();

  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final LocalTime END_OF_DAY = LocalTime.of(23, 59, 59);

  private final String expression;
  private final Cron cron;
  private final ExecutionTime executionTime;

  private Schedule(String expression, Cron cron) {
    this.expression = expression;
    this.cron = cron;
    this.executionTime = ExecutionTime.forCron(cron);
  }

  private static Map<String, String> presets() {
    Map<String, String> presets = new LinkedHashMap<>();
    presets.put("@daily", "0 0 * * *");
    presets.put("@weekly", "0 0 * * 0");
    presets.put("@monthly", "0 0 1 * *");
    presets.put("@quarterly", "0 0 1 */3 *");
    presets.put("@yearly", "0 0 1 1 *");
    presets.put("@annually", "0 0 1 1 *");
    return Map.copyOf(presets);
  }

  /**
   * Parses {@code text}, a preset or a 5-field cron expression.
   *
   * @throws IllegalArgumentException with a message that says what is valid
   */
  public static Schedule parse(String text) {
    String trimmed = text.trim();
    if (trimmed.startsWith("@")) {
      String cronText = PRESETS.get(trimmed);
      if (cronText == null) {
        throw new IllegalArgumentException(
            "unknown schedule preset '"
                + trimmed
                + "': use one of @daily, @weekly, @monthly,"
                + " @quarterly, @yearly or a cron expression such as '0 0 * * 1'"
                + (trimmed.equals("@hourly")
                    ? " (runs are keyed by date: at most one a day)"
                    : ""));
      }
      return new Schedule(trimmed, PARSER.parse(cronText));
    }
    Cron cron;
    try {
      cron = PARSER.parse(trimmed).validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "bad cron expression '"
              + trimmed
              + "': "
              + e.getMessage()
              + " (use 5 fields: minute hour day-of-month month day-of-week, e.g. '0 0 * * 1',"
              + " or a preset such as @weekly)");
    }
    for (CronFieldName field : List.of(CronFieldName.MINUTE, CronFieldName.HOUR)) {
      if (!(cron.retrieve(field).getExpression() instanceof On)) {
        throw new IllegalArgumentException(
            "cron expression '"
                + trimmed
                + "' fires more than once a day (its "
                + field.name().toLowerCase(Locale.ROOT)
                + " field is not a single value): runs are"
                + " keyed by date, so use a single minute and hour, e.g. '0 0 * * 1'");
      }
    }
    return new Schedule(trimmed, cron);
  }

  /** The text as written: a preset or a cron expression. */
  public String expression() {
    return expression;
  }

  /** The first fire date strictly after {@code date}. */
  public LocalDate nextAfter(LocalDate date) {
    return executionTime
        .nextExecution(date.atTime(END_OF_DAY).atZone(ZoneOffset.UTC))
        .map(ZonedDateTime::toLocalDate)
        .orElseThrow(
            () ->
                new IllegalStateException("schedule " + expression + " never fires after " + date));
  }

  /** The last fire date strictly before {@code date}. */
  public LocalDate previousBefore(LocalDate date) {
    return executionTime
        .lastExecution(date.atStartOfDay(ZoneOffset.UTC))
        .map(ZonedDateTime::toLocalDate)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "schedule " + expression + " never fired before " + date));
  }

  public boolean firesOn(LocalDate date) {
    return nextAfter(date.minusDays(1)).equals(date);
  }

  /** Fire dates in {@code [from, to]}, in order. */
  public List<LocalDate> fireDates(LocalDate from, LocalDate to) {
    List<LocalDate> dates = new ArrayList<>();
    for (LocalDate d = nextAfter(from.minusDays(1)); !d.isAfter(to); d = nextAfter(d)) {
      dates.add(d);
    }
    return dates;
  }

  /** The dates templates see for a run at {@code logicalDate} (which need not be a fire date). */
  public RunDates datesFor(LocalDate logicalDate) {
    return new RunDates(logicalDate, previousBefore(logicalDate), nextAfter(logicalDate));
  }

  /**
   * The constant distance between fire dates (1 day, 7 days, 1 month, ...), if there is one.
   * Airflow export needs it to express {@code prev_ds} without deprecated context variables.
   * Checked over 60 consecutive fire dates from {@code from}: enough to see every month length and
   * weekday pattern a schedule that fires at most daily can have.
   */
  public Optional<Period> fixedPeriod(LocalDate from) {
    LocalDate previous = nextAfter(from.minusDays(1));
    Period period = null;
    for (int i = 0; i < 60; i++) {
      LocalDate next = nextAfter(previous);
      Period step = calendarStep(previous, next);
      if (period == null) {
        period = step;
      } else if (!period.equals(step)) {
        return Optional.empty();
      }
      previous = next;
    }
    return Optional.ofNullable(period);
  }

  private static Period calendarStep(LocalDate from, LocalDate to) {
    Period p = Period.between(from, to);
    if (p.getDays() == 0 && (p.getMonths() != 0 || p.getYears() != 0)) {
      return p.getYears() != 0 && p.getMonths() == 0
          ? Period.ofYears(p.getYears())
          : Period.ofMonths((int) p.toTotalMonths());
    }
    return Period.ofDays((int) java.time.temporal.ChronoUnit.DAYS.between(from, to));
  }

  @Override
  public String toString() {
    return expression;
  }
}
