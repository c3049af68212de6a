package io.mlproof.pipelines.evaluate;

import java.util.function.IntBinaryOperator;

/** Sorts row indices by a comparator over rows: stable, O(n log n), no Integer boxing. */
public final class IndexSort {

  private IndexSort() {}

  /** Indices 0..n-1 ordered by {@code compare(a, b)}; equal rows keep index order. */
  public static int[] sorted(int n, IntBinaryOperator compare) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    int[] src = a;
    int[] dst = new int[n];
    // Bottom-up merge sort; on equal keys the left run goes first, which keeps index order.
    for (int width = 1; width < n; width *= 2) {
      for (int lo = 0; lo < n; lo += 2 * width) {
        int mid = Math.min(lo + width, n);
        int hi = Math.min(lo + 2 * width, n);
        int i = lo;
        int j = mid;
        int k = lo;
        while (i < mid && j < hi) {
          dst[k++] = compare.applyAsInt(src[i], src[j]) <= 0 ? src[i++] : src[j++];
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
    return src;
  }
}
