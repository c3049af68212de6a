package io.mlproof.pipelines.backtest;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.evaluate.Numbers;

/**
 * How many customers a campaign can contact: a share of the eligible ones ({@code 10%}) or a fixed
 * number ({@code 500}).
 *
 * @param fraction share of the eligible entities in (0, 1], or NaN for a fixed number
 * @param topN the fixed number, or 0 for a share
 */
public record Capacity(double fraction, long topN) implements java.io.Serializable {

  public static Capacity fraction(double fraction) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new InvalidInputException(
          "--capacity: a share must be in (0%, 100%], got " + fraction * 100 + "%");
    }
    return new Capacity(fraction, 0);
  }

  public static Capacity topN(long n) {
    if (n <= 0) {
      throw new InvalidInputException(
          "--capacity: a number of contacts must be positive, got " + n);
    }
    return new Capacity(Double.NaN, n);
  }

  /** {@code 10%} (a share of the eligible entities) or {@code 500} (that many, at most). */
  public static Capacity parse(String value) {
    String v = value.trim();
    try {
      if (v.endsWith("%")) {
        return fraction(Double.parseDouble(v.substring(0, v.length() - 1).trim()) / 100);
      }
      return topN(Long.parseLong(v));
    } catch (NumberFormatException e) {
      throw new InvalidInputException(
          "--capacity: '"
              + value
              + "' is neither a share like 10% nor a number of contacts like 500");
    }
  }

  /**
   * Contacts the campaign makes among {@code eligible} entities: round(share x eligible), or min(N,
   * eligible).
   */
  public int contacts(int eligible) {
    return (int) (topN > 0 ? Math.min(topN, eligible) : Math.round(fraction * eligible));
  }

  @Override
  public String toString() {
    return topN > 0 ? "top " + topN : "top " + Numbers.plain(fraction * 100) + "%";
  }
}
