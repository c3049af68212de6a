package io.mlproof.pipelines.extract;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.warehouse.SqlRow;
import io.mlproof.proto.v1.EntityDay;
import java.time.LocalDate;
import java.util.Arrays;

/**
 * Rows of the daily per-user rollup ({@code extract/entity_days.sql}) into {@link EntityDay}s.
 *
 * <p>The warehouse aggregates raw rows, so a bad raw row cannot reach this parser by itself.
 * Instead each rollup row carries {@code raw_rows} (every raw event and payment it covers) and a
 * count per reason ({@code bad_null_id}, {@code bad_negative_amount}, ...) of the raw rows it left
 * out of its sums. Each non-zero count becomes one dead letter (keeping the rollup row) and adds
 * its count to the bad-row counters, so the bad fraction is over raw rows, as for plain extracts. A
 * rollup row that cannot become a record at all (NULL user or day, a day outside the interval, a
 * user without signup) dead-letters its remaining valid raw rows too.
 */
final class EntityDayParser extends ParserBase<EntityDay> {
  private static final long serialVersionUID = 1L;

  EntityDayParser() {
    super(
        EntityDay.class,
        "user_id",
        "activity_date",
        "signup_date",
        "raw_rows",
        "sessions",
        "page_views",
        "add_to_carts",
        "purchases",
        "revenue",
        "failed_payments",
        "refunds",
        "purchases_at_midnight",
        "sessions_at_midnight");
  }

  @Override
  public void parse(SqlRow row, ExtractWindow window, Sink<EntityDay> sink) {
    long raw = count(row, "raw_rows");
    sink.rows(raw);
    long valid = raw;
    for (String column : row.columnNames()) {
      if (!BadRowReason.isCountColumn(column)) {
        continue;
      }
      BadRowReason reason = reasonOf(column);
      long bad = count(row, column);
      if (bad > 0) {
        sink.bad(
            reason,
            bad
                + " raw event or payment rows of this user-day are "
                + reason
                + ": extract events or payments for the same interval to see them",
            bad);
        valid -= bad;
      }
    }
    if (valid < 0) {
      throw new InvalidInputException(
          "entity_days row counts more bad rows than raw_rows ("
              + row.toText()
              + "): fix the template's counts");
    }
    if (valid == 0) {
      return; // the user-day exists only through bad rows: no valid activity to record
    }
    try {
      sink.record(record(row, window));
    } catch (BadRow bad) {
      sink.bad(bad.reason, valid + " raw rows left out: " + bad.getMessage(), valid);
    }
  }

  private static EntityDay record(SqlRow row, ExtractWindow window) throws BadRow {
    String entityId = RowChecks.id(row, "user_id");
    RowChecks.present(row, "activity_date");
    long day = row.getEpochDay("activity_date");
    if (!window.containsDay(day)) {
      throw new BadRow(
          BadRowReason.OUTSIDE_WINDOW,
          "activity_date "
              + LocalDate.ofEpochDay(day)
              + " is outside the data interval "
              + window.describe());
    }
    if (row.isNull("signup_date")) {
      throw new BadRow(
          BadRowReason.UNKNOWN_ENTITY, "user_id " + entityId + " has no signup in users");
    }
    return EntityDay.newBuilder()
        .setEntityId(entityId)
        .setDay(Math.toIntExact(day))
        .setSessions(count(row, "sessions"))
        .setPageViews(count(row, "page_views"))
        .setAddToCarts(count(row, "add_to_carts"))
        .setPurchases(count(row, "purchases"))
        .setRevenueCents(row.isNull("revenue") ? 0 : row.getCents("revenue"))
        .setFailedPayments(count(row, "failed_payments"))
        .setRefunds(count(row, "refunds"))
        .setPurchasesAtMidnight(count(row, "purchases_at_midnight"))
        .setSessionsAtMidnight(count(row, "sessions_at_midnight"))
        .setSignupDay(row.getEpochDay("signup_date"))
        .build();
  }

  static BadRowReason reasonOf(String column) {
    return BadRowReason.ofCountColumn(column)
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "column '"
                        + column
                        + "' looks like a bad-row count but names no reason: use one of "
                        + Arrays.stream(BadRowReason.values())
                            .map(BadRowReason::counterName)
                            .toList()));
  }

  private static long count(SqlRow row, String column) {
    return row.isNull(column) ? 0 : row.getLong(column);
  }
}
