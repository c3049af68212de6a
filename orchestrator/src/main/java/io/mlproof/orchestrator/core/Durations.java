package io.mlproof.orchestrator.core;

import java.time.Duration;

/** Durations as DAG files write them: {@code 2h}, {@code 1h30m}, {@code 45s}, {@code 500ms}. */
public final class Durations {

  private Durations() {}

  public static String format(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long days = duration.toDaysPart();
    if (days > 0) {
      out.append(days).append('d');
    }
    append(out, duration.toHoursPart(), "h");
    append(out, duration.toMinutesPart(), "m");
    append(out, duration.toSecondsPart(), "s");
    append(out, duration.toMillisPart(), "ms");
    return out.toString();
  }

  private static void append(StringBuilder out, long value, String unit) {
    if (value > 0) {
      out.append(value).append(unit);
    }
  }
}
