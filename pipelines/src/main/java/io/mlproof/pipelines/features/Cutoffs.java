package io.mlproof.pipelines.features;

import io.mlproof.pipelines.core.InvalidInputException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.TreeSet;

/** The cutoff days of a features run, from the options: a list, a range, or the logical date. */
public final class Cutoffs {
  /** More cutoffs than this is almost certainly a typo in a range (a daily step over years). */
  static final int MAX_CUTOFFS = 1000;

  private Cutoffs() {}

  /** Sorted, distinct cutoff days (days since epoch); a one-line error for any bad combination. */
  public static List<Integer> from(FeaturesOptions options) {
    boolean list = !options.getCutoffs().isBlank();
    boolean start = !options.getCutoffStart().isBlank();
    boolean end = !options.getCutoffEnd().isBlank();
    TreeSet<Integer> days = new TreeSet<>();
    if (list && (start || end)) {
      throw new InvalidInputException(
          "give either --cutoffs or --cutoffStart/--cutoffEnd, not both");
    }
    if (start != end) {
      throw new InvalidInputException(
          "--cutoffStart and --cutoffEnd go together: give both or neither");
    }
    if (list) {
      for (String token : options.getCutoffs().split(",")) {
        days.add(day("--cutoffs", token.trim()));
      }
    } else if (start) {
      int first = day("--cutoffStart", options.getCutoffStart());
      int last = day("--cutoffEnd", options.getCutoffEnd());
      int step = options.getCutoffEveryDays();
      if (step <= 0) {
        throw new InvalidInputException("--cutoffEveryDays must be positive, got " + step);
      }
      if (last < first) {
        throw new InvalidInputException(
            "--cutoffEnd "
                + options.getCutoffEnd()
                + " is before --cutoffStart "
                + options.getCutoffStart());
      }
      for (long d = first; d <= last && days.size() <= MAX_CUTOFFS; d += step) {
        days.add((int) d);
      }
    } else if (options.getLogicalDate() != null && !options.getLogicalDate().isBlank()) {
      days.add(day("--logicalDate", options.getLogicalDate()));
    } else {
      throw new InvalidInputException(
          "no cutoff: give --cutoffs=YYYY-MM-DD[,...],"
              + " --cutoffStart/--cutoffEnd[/--cutoffEveryDays] or --logicalDate");
    }
    if (days.size() > MAX_CUTOFFS) {
      throw new InvalidInputException(
          "more than " + MAX_CUTOFFS + " cutoffs: use a larger --cutoffEveryDays");
    }
    return List.copyOf(days);
  }

  /** Days since epoch of an ISO date, or a one-line error naming the option. */
  public static int day(String option, String value) {
    try {
      return Math.toIntExact(LocalDate.parse(value).toEpochDay());
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(option + ": '" + value + "' is not a date (use YYYY-MM-DD)");
    }
  }

  /** ISO date of a day since epoch. */
  public static String date(long day) {
    return LocalDate.ofEpochDay(day).toString();
  }
}
