package io.mlproof.orchestrator.report;

import java.util.Locale;

/** Escaping and number formats for the report page. */
final class Html {

  private Html() {}

  /** Text content: {@code & < >} escaped. */
  static String text(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** An attribute value in double quotes. */
  static String attr(String s) {
    return text(s).replace("\"", "&quot;");
  }

  /** A share as a percentage with one decimal: 0.1234 → 12.3%. */
  static String pct(double share) {
    return Double.isFinite(share) ? String.format(Locale.ROOT, "%.1f%%", 100 * share) : "–";
  }

  /** A metric with three decimals. */
  static String num3(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "–";
  }

  /** A count or amount with thousands separators; fractional amounts keep one decimal. */
  static String amount(double v) {
    if (!Double.isFinite(v)) {
      return "–";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? String.format(Locale.ROOT, "%,d", (long) v)
        : String.format(Locale.ROOT, "%,.1f", v);
  }

  /** A feature value: up to four significant decimals, no trailing zeros. */
  static String value(double v) {
    if (!Double.isFinite(v)) {
      return "–";
    }
    String s = String.format(Locale.ROOT, "%.4g", v);
    if (s.contains("e")) {
      return s;
    }
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }
}
