package io.mlproof.pipelines.model;

/** One CSV field as RFC 4180 writes it: quoted only when it holds a comma, quote or line break. */
public final class CsvFields {
  private CsvFields() {}

  public static String field(String s) {
    return needsQuotes(s) ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }

  /**
   * Whether {@code s} holds a comma, quote, CR or LF. A loop over the chars: {@code String.matches}
   * compiled its pattern on every call, a tenth of the score stage's ranking step on a million rows
   * (docs/bench/scoring.md).
   */
  private static boolean needsQuotes(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ',' || c == '"' || c == '\r' || c == '\n') {
        return true;
      }
    }
    return false;
  }
}
