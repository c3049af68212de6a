package io.mlproof.pipelines.extract;

import io.mlproof.proto.v1.DeadLetter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Why an extracted row became a dead letter ({@code DeadLetter.reason_code}, same name); each has a
 * Beam counter {@code bad_<code in lowercase>} (e.g. {@code bad_null_id}) and, in the {@code
 * entity_days} template, a count column of the same name.
 */
public enum BadRowReason {
  /** An id column (the row's own id or the entity id) is NULL. */
  NULL_ID,
  /** A required column other than an id is NULL (a time, an amount of a purchase or payment). */
  MISSING_FIELD,
  /** {@code event_type} is not one of the four known types. */
  UNKNOWN_EVENT_TYPE,
  /** A payment {@code status} is not succeeded, failed or refunded. */
  UNKNOWN_STATUS,
  /** A money amount is below zero. */
  NEGATIVE_AMOUNT,
  /** The row's time (or day) lies outside the data interval being extracted. */
  OUTSIDE_WINDOW,
  /** An entity-day whose user has no signup in the users table. */
  UNKNOWN_ENTITY;

  private static final String COLUMN_PREFIX = "bad_";

  /** Count column to reason: looked up for every column of every entity_days row. */
  private static final Map<String, BadRowReason> BY_COUNT_COLUMN =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(BadRowReason::counterName, r -> r));

  /** The value stored in {@code DeadLetter.reason_code}. */
  public DeadLetter.Reason proto() {
    return DeadLetter.Reason.valueOf(name());
  }

  /** The counter (and entity_days count column) name, e.g. {@code bad_null_id}. */
  public String counterName() {
    return COLUMN_PREFIX + name().toLowerCase(Locale.ROOT);
  }

  /** Whether {@code column} is a bad-row count column such as {@code bad_null_id}. */
  static boolean isCountColumn(String column) {
    return column.startsWith(COLUMN_PREFIX);
  }

  /** The reason a count column counts, if its name is one. */
  static Optional<BadRowReason> ofCountColumn(String column) {
    return Optional.ofNullable(BY_COUNT_COLUMN.get(column));
  }
}
