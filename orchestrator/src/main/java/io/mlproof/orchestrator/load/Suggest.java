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
    return candidates.stream()
        .filter(c -> distance(lower, c.toLowerCase(Locale.ROOT)) <= Math.max(2, word.length() / 3)
            || c.toLowerCase(Locale.ROOT).startsWith(lower) && lower.length() >= 3)
        .min(Comparator.comparingInt((String c) -> distance(lower, c.toLowerCase(Locale.ROOT)))
            .thenComparing(Comparator.naturalOrder()));
  }

  /** {@code " (did you mean 'x'?)"} or nothing. */
  public static String didYouMean(String word, Collection<String> candidates) {
    return closest(word, candidates).map(c -> " (did you mean '" + c + "'?)").orElse("");
  }

  /** Levenshtein distance (insertions, deletions, substitutions). */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
