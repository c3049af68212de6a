package io.mlproof.pipelines.warehouse;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.sql.RenderedSql;

/**
 * One statement per query. A warehouse read runs exactly what the template says: a {@code ;}
 * followed by more SQL would let a templated value or a query option append a second statement
 * (DuckDB's JDBC driver runs every statement of a multi-statement string). Quotes, quoted names and
 * comments are skipped, so a {@code ;} inside them is text; one trailing {@code ;} is allowed.
 */
public final class SingleStatement {

  private SingleStatement() {}

  /** Returns {@code sql}, or fails naming the template when it holds more than one statement. */
  public static RenderedSql require(RenderedSql sql, Dialect dialect) {
    int end = firstStatementEnd(sql.sql(), dialect == Dialect.BIGQUERY);
    if (end >= 0) {
      throw new InvalidInputException(
          "template "
              + sql.template()
              + " holds more than one SQL statement (a ';' at"
              + " offset "
              + end
              + " is followed by more SQL): a warehouse query runs one statement; remove the rest");
    }
    return sql;
  }

  /**
   * Offset of a {@code ;} that is followed by more SQL, or -1. {@code backslashEscapes}: BigQuery
   * strings escape with {@code \}; DuckDB's do not ({@code 'a\'} is the whole string there).
   */
  static int firstStatementEnd(String sql, boolean backslashEscapes) {
    return scan(sql, backslashEscapes)[1];
  }

  /**
   * The statement of a checked {@code sql} without its allowed trailing {@code ;}, so that it can
   * be nested as a subquery; a trailing comment is kept, so the caller ends it with a newline.
   */
  static String withoutTrailingSemicolon(String sql, boolean backslashEscapes) {
    int semicolon = scan(sql, backslashEscapes)[0];
    return semicolon < 0 ? sql : sql.substring(0, semicolon) + sql.substring(semicolon + 1);
  }

  /**
   * {the first {@code ;} outside quotes and comments or -1, the offset {@link #firstStatementEnd}
   * returns}.
   */
  private static int[] scan(String sql, boolean backslashEscapes) {
    int semicolon = -1;
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"' || c == '`') {
        i = closing(sql, i, c, backslashEscapes && c != '"');
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int newline = sql.indexOf('\n', i);
        i = newline < 0 ? n : newline + 1;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int close = sql.indexOf("*/", i + 2);
        i = close < 0 ? n : close + 2;
      } else {
        if (c == ';') {
          if (semicolon < 0) {
            semicolon = i;
          }
        } else if (!Character.isWhitespace(c) && semicolon >= 0) {
          return new int[] {semicolon, semicolon};
        }
        i++;
      }
    }
    return new int[] {semicolon, -1};
  }

  /** Index after the quote that closes the one at {@code start}; doubled quotes are text. */
  private static int closing(String sql, int start, char quote, boolean backslashEscapes) {
    int i = start + 1;
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      if (backslashEscapes && sql.charAt(i) == '\\') {
        i += 2;
        continue;
      }
      i++;
    }
    return sql.length();
  }
}
