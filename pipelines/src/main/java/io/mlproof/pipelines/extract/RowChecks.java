package io.mlproof.pipelines.extract;

import io.mlproof.pipelines.warehouse.SqlRow;
import java.util.Map;
import java.util.TreeSet;

/**
 * The per-column checks the record parsers share; each throws {@link BadRow} with a readable why.
 */
final class RowChecks {

  private RowChecks() {}

  /** An id column as text ("any id type fits"): integer or text, never NULL or blank. */
  static String id(SqlRow row, String column) throws BadRow {
    Object value = checkId(row, column);
    return value instanceof String s ? s : row.getText(column);
  }

  /**
   * The checks of {@link #id} without its text, for ids the record stores as numbers: only text can
   * be blank (no other type's text is), so no number is turned into a string per row.
   */
  static Object checkId(SqlRow row, String column) throws BadRow {
    Object value = row.get(column);
    if (value == null) {
      throw new BadRow(BadRowReason.NULL_ID, column + " is NULL");
    }
    if (value instanceof String s && s.isBlank()) {
      throw new BadRow(BadRowReason.NULL_ID, column + " is blank");
    }
    return value;
  }

  static void present(SqlRow row, String column) throws BadRow {
    if (row.isNull(column)) {
      throw new BadRow(BadRowReason.MISSING_FIELD, column + " is NULL");
    }
  }

  static long time(SqlRow row, String column) throws BadRow {
    present(row, column);
    return row.getTimestampMicros(column);
  }

  /** A money column in cents; NULL reads as 0 (callers that need a value check it first). */
  static long nonNegativeCents(SqlRow row, String column) throws BadRow {
    if (row.isNull(column)) {
      return 0;
    }
    if (row.getDecimal(column).signum() < 0) {
      throw new BadRow(
          BadRowReason.NEGATIVE_AMOUNT, column + " " + row.getText(column) + " is negative");
    }
    return row.getCents(column);
  }

  /** A categorical text column mapped through {@code known}. */
  static <E> E category(SqlRow row, String column, Map<String, E> known, BadRowReason reason)
      throws BadRow {
    E value = row.isNull(column) ? null : known.get(row.getString(column));
    if (value == null) {
      String expected = String.join(", ", new TreeSet<>(known.keySet()));
      throw new BadRow(
          reason,
          row.isNull(column)
              ? column + " is NULL (expected one of " + expected + ")"
              : column + " '" + row.getText(column) + "' is not one of " + expected);
    }
    return value;
  }

  static void inWindow(long micros, ExtractWindow window, String column) throws BadRow {
    if (!window.contains(micros)) {
      throw new BadRow(
          BadRowReason.OUTSIDE_WINDOW,
          column
              + " "
              + ExtractWindow.instant(micros)
              + " is outside the data interval "
              + window.describe());
    }
  }
}
