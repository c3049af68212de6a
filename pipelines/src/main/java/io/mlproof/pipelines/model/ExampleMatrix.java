package io.mlproof.pipelines.model;

import io.mlproof.pipelines.evaluate.LabeledMatrix;
import io.mlproof.proto.v1.FeatureSpec;
import java.lang.reflect.Array;

/**
 * Examples as LightGBM wants them: feature values row-major in one {@code double[]} (NaN =
 * missing), in FeatureSpec column order, rows in canonical order (cutoff day, then entity id) so
 * the same examples give the same matrix however the files were sharded.
 */
public record ExampleMatrix(
    FeatureSpec spec,
    String specHash,
    String[] entityIds,
    int[] cutoffDays,
    double[] values,
    boolean[] labels) {

  public ExampleMatrix {
    int rows = entityIds.length;
    if (cutoffDays.length != rows
        || labels.length != rows
        || values.length != (long) rows * spec.getFeaturesCount()) {
      throw new IllegalArgumentException("inconsistent example matrix of " + rows + " rows");
    }
  }

  public int rows() {
    return entityIds.length;
  }

  public int columns() {
    return spec.getFeaturesCount();
  }

  public LabeledMatrix labeled() {
    return new LabeledMatrix(values, rows(), columns(), labels);
  }

  public long positives() {
    long p = 0;
    for (boolean l : labels) {
      p += l ? 1 : 0;
    }
    return p;
  }

  /**
   * The rows of {@code this} then those of {@code other} (same spec), e.g. train + validation for a
   * refit.
   */
  public ExampleMatrix concat(ExampleMatrix other) {
    if (!specHash.equals(other.specHash)) {
      throw new IllegalArgumentException(
          "cannot join rows of specs " + specHash + " and " + other.specHash);
    }
    return new ExampleMatrix(
        spec,
        specHash,
        join(entityIds, other.entityIds),
        join(cutoffDays, other.cutoffDays),
        join(values, other.values),
        join(labels, other.labels));
  }

  /** Two arrays of one component type, end to end. */
  @SuppressWarnings("unchecked")
  private static <A> A join(A a, A b) {
    int n = Array.getLength(a);
    int m = Array.getLength(b);
    A out = (A) Array.newInstance(a.getClass().getComponentType(), n + m);
    System.arraycopy(a, 0, out, 0, n);
    System.arraycopy(b, 0, out, n, m);
    return out;
  }
}
