package io.mlproof.pipelines.sql;

import io.mlproof.pipelines.core.InvalidInputException;
import java.util.regex.Pattern;

/**
 * The strict patterns every identifier must match before it reaches SQL. Quoting alone is not
 * trusted: a name that does not match is rejected, so no quote or backtick can ever be smuggled
 * into a rendered query.
 */
public final class SqlIdentifiers {

  /** Table and column names: a letter or underscore, then letters, digits, underscores. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  /**
   * Google Cloud project ids: 6-30 lowercase letters, digits and hyphens, starting with a letter.
   */
  public static final Pattern GCP_PROJECT = Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]");

  /** BigQuery dataset names: letters, digits and underscores, at most 1024. */
  public static final Pattern BIGQUERY_DATASET = Pattern.compile("[A-Za-z0-9_]{1,1024}");

  private SqlIdentifiers() {}

  /** True when {@code name} is a plain table or column name. */
  public static boolean isName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /**
   * Returns {@code name}, or fails with a one-line error naming {@code what} it was meant to be.
   */
  public static String checkName(String name, String what) {
    if (!isName(name)) {
      throw new InvalidInputException(
          what
              + " '"
              + Shown.of(name)
              + "' is not a plain identifier: use letters, digits and"
              + " underscores, starting with a letter or underscore");
    }
    return name;
  }

  /** Renders user text for an error message: one line, bounded, control characters escaped. */
  static final class Shown {
    private static final int MAX = 60;

    private Shown() {}

    static String of(String text) {
      if (text == null) {
        return "<null>";
      }
      StringBuilder shown = new StringBuilder();
      for (int i = 0; i < text.length() && shown.length() < MAX; i++) {
        char c = text.charAt(i);
        shown.append(
            Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      }
      return text.length() > MAX ? shown + "..." : shown.toString();
    }
  }
}
