package io.mlproof.pipelines.model;

import io.mlproof.pipelines.evaluate.IndexSort;
import io.mlproof.proto.v1.FeatureSpec;
import java.util.Arrays;

/**
 * Examples as read, in file order, in growable primitive arrays (no per-row objects besides the
 * entity id). {@link #select} copies chosen rows, in a chosen order, into an {@link ExampleMatrix}:
 * the one copy training makes.
 */
public final class ExampleBuffer {
  private final FeatureSpec spec;
  private final String specHash;
  private final int columns;
  private String[] ids;
  private int[] cutoffs;
  private boolean[] hasLabel;
  private boolean[] labels;
  private double[] values;
  private int rows;

  public ExampleBuffer(FeatureSpec spec, String specHash, int capacityHint) {
    this.spec = spec;
    this.specHash = specHash;
    this.columns = spec.getFeaturesCount();
    int capacity = Math.max(16, capacityHint);
    ids = new String[capacity];
    cutoffs = new int[capacity];
    hasLabel = new boolean[capacity];
    labels = new boolean[capacity];
    values = new double[capacity * columns];
  }

  public FeatureSpec spec() {
    return spec;
  }

  public String specHash() {
    return specHash;
  }

  public int rows() {
    return rows;
  }

  public int columns() {
    return columns;
  }

  /** Starts a row and returns the offset of its first value in {@link #values()}. */
  int addRow(String id, int cutoff, boolean labelled, boolean label) {
    if (rows == ids.length) {
      int capacity = ids.length + (ids.length >> 1);
      ids = Arrays.copyOf(ids, capacity);
      cutoffs = Arrays.copyOf(cutoffs, capacity);
      hasLabel = Arrays.copyOf(hasLabel, capacity);
      labels = Arrays.copyOf(labels, capacity);
      values = Arrays.copyOf(values, capacity * columns);
    }
    ids[rows] = id;
    cutoffs[rows] = cutoff;
    hasLabel[rows] = labelled;
    labels[rows] = label;
    return rows++ * columns;
  }

  /** Adds a complete row (tests and table sources). */
  public void add(String id, int cutoff, boolean labelled, boolean label, double[] row) {
    if (row.length != columns) {
      throw new IllegalArgumentException("row of " + row.length + " values, spec has " + columns);
    }
    int offset = addRow(id, cutoff, labelled, label); // may grow (replace) the values array
    System.arraycopy(row, 0, values, offset, columns);
  }

  double[] values() {
    return values;
  }

  public String id(int row) {
    return ids[row];
  }

  public int cutoff(int row) {
    return cutoffs[row];
  }

  public boolean hasLabel(int row) {
    return hasLabel[row];
  }

  public boolean label(int row) {
    return labels[row];
  }

  public double value(int row, int column) {
    return values[row * columns + column];
  }

  /** Rows ordered by (cutoff day, entity id): the canonical order. */
  public int[] canonicalOrder() {
    // The first characters of each id packed into a long that orders like String.compareTo, so
    // most comparisons read two primitive arrays instead of chasing String pointers; equal
    // prefixes fall back to the full comparison, so the order is exactly (cutoff, id).
    boolean latin1 = true;
    for (int r = 0; r < rows && latin1; r++) {
      String id = ids[r];
      for (int i = 0, n = Math.min(8, id.length()); i < n; i++) {
        latin1 &= id.charAt(i) < 256;
      }
    }
    long[] prefixes = new long[rows];
    for (int r = 0; r < rows; r++) {
      prefixes[r] = prefix(ids[r], latin1);
    }
    return IndexSort.sorted(
        rows,
        (a, b) -> {
          int c = Integer.compare(cutoffs[a], cutoffs[b]);
          if (c == 0) {
            c = Long.compareUnsigned(prefixes[a], prefixes[b]);
          }
          return c != 0 ? c : ids[a].compareTo(ids[b]);
        });
  }

  /**
   * First 8 chars at 8 bits each (all Latin-1) or 4 chars at 16 bits, left-aligned, zero-padded.
   */
  private static long prefix(String id, boolean latin1) {
    int bits = latin1 ? 8 : 16;
    int chars = 64 / bits;
    long key = 0;
    for (int i = 0; i < chars; i++) {
      key = (key << bits) | (i < id.length() ? id.charAt(i) : 0);
    }
    return key;
  }

  /** Copies {@code selected} rows, in that order, into a matrix. */
  public ExampleMatrix select(int[] selected) {
    int n = selected.length;
    String[] outIds = new String[n];
    int[] outCutoffs = new int[n];
    boolean[] outLabels = new boolean[n];
    double[] outValues = new double[n * columns];
    for (int i = 0; i < n; i++) {
      int r = selected[i];
      outIds[i] = ids[r];
      outCutoffs[i] = cutoffs[r];
      outLabels[i] = labels[r];
      System.arraycopy(values, r * columns, outValues, i * columns, columns);
    }
    return new ExampleMatrix(spec, specHash, outIds, outCutoffs, outValues, outLabels);
  }
}
