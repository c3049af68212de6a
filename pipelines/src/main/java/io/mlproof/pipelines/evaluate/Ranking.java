package io.mlproof.pipelines.evaluate;

/**
 * Orders rows by score: the order every ranking metric, the top-k operating point and the scoring
 * ranks share (highest score first, ties broken by row index, i.e. by the canonical entity order
 * the rows were assembled in).
 */
public final class Ranking {

  private Ranking() {}

  /** Row indices sorted by {@code scores} descending, ties by index ascending. */
  public static int[] descending(double[] scores) {
    for (int i = 0; i < scores.length; i++) {
      if (Double.isNaN(scores[i])) {
        throw new IllegalArgumentException("score of row " + i + " is NaN: scores must be numbers");
      }
    }
    return IndexSort.sorted(scores.length, (a, b) -> Double.compare(scores[b], scores[a]));
  }
}
