package io.mlproof.pipelines.evaluate;

/** Number formatting shared by rule names, labels and LightGBM parameters. */
public final class Numbers {

  private Numbers() {}

  /**
   * Integers without a decimal point ({@code 21}, not {@code 21.0}); others as Java prints them.
   */
  public static String plain(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : Double.toString(value);
  }
}
