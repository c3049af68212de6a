package io.mlproof.orchestrator.load;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/** "did you mean ...?" for misspelt keys, options, tasks and pipelines. */
public final class Suggest {

  private Suggest() {}

  /** The closest of {@code candidates} to {@code word}, if one is close enough to be a typo. */
  public static Optional<String> closest(String word, Collection<String> candidates) {
    String lower = word.toLowerCase(Locale.ROOT);
    int limit = Math.max(1, word.length() / 3);
    return candidates.stream()
        .filter(
            c -> {
              int d = distance(lower, c.toLowerCase(Locale.ROOT));
              return d <= limit && d < word.length()
                  || c.toLowerCase(Locale.ROOT).startsWith(lower) && lower.length() >= 3;
            })
        .min(
            Comparator.comparingInt((String c) -> distance(lower, c.toLowerCase(Locale.ROOT)))
                .thenComparing(Comparator.naturalOrder()));
  }

  /** {@code " (did you mean 'x'?)"} or nothing. */
  public static String didYouMean(String word, Collection<String> candidates) {
    return closest(word, candidates).map(c -> " (did you mean '" + c + "'?)").orElse("");
  }

  /**
   * Edit distance counting a swap of neighbours as one edit (optimal string alignment), since
   * swapped letters are the commonest typo ("retires" for "retries").
   */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
