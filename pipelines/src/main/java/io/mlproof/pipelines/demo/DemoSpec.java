package io.mlproof.pipelines.demo;

import io.mlproof.pipelines.core.InvalidInputException;
import java.time.LocalDate;
import java.util.Objects;

/**
 * What to generate: how many users over how many days from which start date, the seed, and the
 * share of deliberately malformed rows. The same spec always yields the same table contents.
 *
 * <p>Values are checked on construction; a bad one throws an {@link InvalidInputException} whose
 * one-line message names the {@code mlproof demo init} option to fix.
 *
 * @param users number of users (ids 1..users), each signing up on a day within the window
 * @param days length of the window in days; nothing happens on or after {@code start + days}
 * @param start first day of the window (UTC)
 * @param seed seed of every pseudo-random draw
 * @param badRowRate probability that a valid event or payment also gets a malformed copy
 */
public record DemoSpec(int users, int days, LocalDate start, long seed, double badRowRate) {

  public static final int DEFAULT_USERS = 10_000;
  public static final int DEFAULT_DAYS = 180;
  public static final LocalDate DEFAULT_START = LocalDate.of(2024, 1, 1);
  public static final long DEFAULT_SEED = 42;
  public static final double DEFAULT_BAD_ROW_RATE = 0.0005;

  public static final int MAX_USERS = 10_000_000;
  public static final int MAX_DAYS = 3_650;

  /** Malformed rows carry 1970 timestamps; windows must start well after them (and stay sane). */
  public static final LocalDate MIN_START = LocalDate.of(2000, 1, 1);

  public static final LocalDate MAX_START = LocalDate.of(2099, 12, 31);
  public static final double MAX_BAD_ROW_RATE = 0.1;

  public DemoSpec {
    if (users < 1 || users > MAX_USERS) {
      throw new InvalidInputException(
          "--users must be between 1 and " + MAX_USERS + ", got " + users);
    }
    if (days < 1 || days > MAX_DAYS) {
      throw new InvalidInputException("--days must be between 1 and " + MAX_DAYS + ", got " + days);
    }
    Objects.requireNonNull(start, "start");
    if (start.isBefore(MIN_START) || start.isAfter(MAX_START)) {
      throw new InvalidInputException(
          "--start must be between " + MIN_START + " and " + MAX_START + ", got " + start);
    }
    // The negated form also rejects NaN.
    if (!(badRowRate >= 0 && badRowRate <= MAX_BAD_ROW_RATE)) {
      throw new InvalidInputException(
          "--bad-row-rate must be between 0 and " + MAX_BAD_ROW_RATE + ", got " + badRowRate);
    }
  }

  /** The default demo: 10,000 users over 180 days from 2024-01-01, about 1.1 million events. */
  public static DemoSpec defaults() {
    return new DemoSpec(
        DEFAULT_USERS, DEFAULT_DAYS, DEFAULT_START, DEFAULT_SEED, DEFAULT_BAD_ROW_RATE);
  }

  /**
   * A small warehouse for other stages' tests: 1,000 users over 120 days (about 90,000 events),
   * long enough for 60 days of features before and a 30-day label window after a cut-off.
   */
  public static DemoSpec small(long seed) {
    return defaults().withUsers(1_000).withDays(120).withSeed(seed);
  }

  public DemoSpec withUsers(int newUsers) {
    return new DemoSpec(newUsers, days, start, seed, badRowRate);
  }

  public DemoSpec withDays(int newDays) {
    return new DemoSpec(users, newDays, start, seed, badRowRate);
  }

  public DemoSpec withStart(LocalDate newStart) {
    return new DemoSpec(users, days, newStart, seed, badRowRate);
  }

  public DemoSpec withSeed(long newSeed) {
    return new DemoSpec(users, days, start, newSeed, badRowRate);
  }

  public DemoSpec withBadRowRate(double newBadRowRate) {
    return new DemoSpec(users, days, start, seed, newBadRowRate);
  }

  /** The first instant after the window: no valid event happens on or after it. */
  public LocalDate end() {
    return start.plusDays(days);
  }

  @Override
  public String toString() {
    return "users="
        + users
        + ", days="
        + days
        + ", start="
        + start
        + ", seed="
        + seed
        + ", bad-row-rate="
        + badRowRate;
  }
}
