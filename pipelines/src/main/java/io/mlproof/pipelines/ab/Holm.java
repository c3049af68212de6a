package io.mlproof.pipelines.ab;

/**
 * Holm's step-down correction for several treatment arms against one control (as statsmodels'
 * {@code multipletests(method="holm")}): sort the m p-values ascending, multiply the i-th smallest
 * (i from 0) by (m - i), keep the running maximum, cap at 1. It controls the family-wise error rate
 * like Bonferroni and is never less powerful.
 */
public final class Holm {

  private Holm() {}

  /** Adjusted p-values, in the order given. */
  public static double[] adjust(double[] pValues) {
    int m = pValues.length;
    Integer[] order = new Integer[m];
    for (int i = 0; i < m; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(pValues[a], pValues[b]));
    double[] adjusted = new double[m];
    double running = 0;
    for (int rank = 0; rank < m; rank++) {
      int i = order[rank];
      running = Math.max(running, Math.min(1, (m - rank) * pValues[i]));
      adjusted[i] = running;
    }
    return adjusted;
  }
}
