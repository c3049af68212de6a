package io.mlproof.pipelines.evaluate;

/**
 * Feature values in row-major order with one label per row: what evaluation needs from the
 * examples. NaN is a missing value. The arrays are shared, not copied: callers must not mutate
 * them.
 */
public record LabeledMatrix(double[] values, int rows, int columns, boolean[] labels) {

  public LabeledMatrix {
    if ((long) rows * columns != values.length || labels.length != rows) {
      throw new IllegalArgumentException(
          "matrix of "
              + rows
              + " x "
              + columns
              + " needs "
              + (long) rows * columns
              + " values and "
              + rows
              + " labels, got "
              + values.length
              + " and "
              + labels.length);
    }
  }

  public double value(int row, int column) {
    return values[row * columns + column];
  }

  /** One column copied out (the heuristic tuner walks a single feature). */
  public double[] column(int column) {
    double[] out = new double[rows];
    for (int r = 0; r < rows; r++) {
      out[r] = values[r * columns + column];
    }
    return out;
  }
}
