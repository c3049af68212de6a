package io.mlproof.pipelines.evaluate;

/**
 * Orders rows by score without boxing: the order every ranking metric, the top-k operating point
 * and the scoring ranks share (highest score first, ties broken by row index, i.e. by the
 * canonical entity order the rows were assembled in).
 */
public final class Ranking {

  private Ranking() {}

  /** Row indices sorted by {@code scores} descending, ties by index ascending (stable). */
  public static int[] descending(double[] scores) {
    int n = scores.length;
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(scores[i])) {
        throw new IllegalArgumentException("score of row " + i + " is NaN: scores must be numbers");
      }
      order[i] = i;
    }
    int[] buffer = new int[n];
    mergeSort(order, buffer, 0, n, scores);
    return order;
  }

  // Bottom-up merge sort on indices: stable, O(n log n), no Integer boxing.
  private static void mergeSort(int[] a, int[] buffer, int from, int to, double[] keys) {
    int[] src = a;
    int[] dst = buffer;
    for (int width = 1; width < to - from; width *= 2) {
      for (int lo = from; lo < to; lo += 2 * width) {
        int mid = Math.min(lo + width, to);
        int hi = Math.min(lo + 2 * width, to);
        int i = lo;
        int j = mid;
        int k = lo;
        while (i < mid && j < hi) {
          // Descending by key; on equal keys the left run goes first, which keeps index order.
          dst[k++] = keys[src[i]] >= keys[src[j]] ? src[i++] : src[j++];
        }
        while (i < mid) {
          dst[k++] = src[i++];
        }
        while (j < hi) {
          dst[k++] = src[j++];
        }
      }
      int[] swap = src;
      src = dst;
      dst = swap;
    }
    if (src != a) {
      System.arraycopy(src, from, a, from, to - from);
    }
  }
}
