package io.mlproof.pipelines.backtest;

import io.mlproof.pipelines.evaluate.IndexSort;
import io.mlproof.pipelines.evaluate.Ranking;

/**
 * Who each strategy contacts, as a contact probability per entity (1 or 0, except random targeting,
 * whose expectation contacts everyone with probability k / n). Entities are in the canonical order
 * (entity id within one cutoff), so "ties by row" means ties by entity id.
 */
public final class Targeting {

  private Targeting() {}

  /** The {@code k} highest scores, ties by row: the model's and the heuristic's campaign. */
  public static double[] topK(double[] scores, int k) {
    int[] order = Ranking.descending(scores);
    double[] p = new double[scores.length];
    for (int i = 0; i < Math.min(k, order.length); i++) {
      p[order[i]] = 1;
    }
    return p;
  }

  /**
   * Random targeting of {@code k} of {@code n}, in expectation: everyone with probability k / n.
   */
  public static double[] random(int n, int k) {
    double[] p = new double[n];
    java.util.Arrays.fill(p, n == 0 ? 0 : (double) k / n);
    return p;
  }

  /** The status quo: no campaign, no one contacted. */
  public static double[] none(int n) {
    return new double[n];
  }

  /**
   * Perfect targeting, the ceiling: only would-be churners, the most valuable first (ties by row),
   * at most {@code k}; it never spends a contact on a customer who would have stayed.
   */
  public static double[] oracle(boolean[] churner, double[] value, int k) {
    int[] order =
        IndexSort.sorted(
            churner.length,
            (a, b) -> {
              int c = Boolean.compare(churner[b], churner[a]);
              return c != 0 ? c : Double.compare(value[b], value[a]);
            });
    double[] p = new double[churner.length];
    for (int i = 0; i < Math.min(k, order.length) && churner[order[i]]; i++) {
      p[order[i]] = 1;
    }
    return p;
  }
}
