package io.mlproof.pipelines.extract;

import java.io.Serializable;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The data interval {@code [start, end)} in UTC epoch microseconds, as rows are checked against it.
 */
record ExtractWindow(long startMicros, long endMicros) implements Serializable {

  static final long MICROS_PER_DAY = 86_400_000_000L;

  static ExtractWindow of(Instant start, Instant end) {
    return new ExtractWindow(
        ChronoUnit.MICROS.between(Instant.EPOCH, start),
        ChronoUnit.MICROS.between(Instant.EPOCH, end));
  }

  boolean contains(long micros) {
    return micros >= startMicros && micros < endMicros;
  }

  /** Whether the UTC day {@code epochDay} lies wholly inside the window. */
  boolean containsDay(long epochDay) {
    return epochDay * MICROS_PER_DAY >= startMicros && (epochDay + 1) * MICROS_PER_DAY <= endMicros;
  }

  boolean isWholeDays() {
    return startMicros % MICROS_PER_DAY == 0 && endMicros % MICROS_PER_DAY == 0;
  }

  String describe() {
    return "[" + instant(startMicros) + ", " + instant(endMicros) + ")";
  }

  static Instant instant(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }
}
