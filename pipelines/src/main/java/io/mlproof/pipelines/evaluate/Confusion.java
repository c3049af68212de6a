package io.mlproof.pipelines.evaluate;

import io.mlproof.proto.v1.ConfusionMatrix;

/**
 * Counts at one operating point. Ratios with a zero denominator are 0 (scikit-learn's {@code
 * zero_division=0}): targeting no one has precision 0, not "undefined", so the status quo can sit
 * in the same table as the model.
 */
public record Confusion(
    long truePositives, long falsePositives, long trueNegatives, long falseNegatives) {

  public Confusion {
    if (truePositives < 0 || falsePositives < 0 || trueNegatives < 0 || falseNegatives < 0) {
      throw new IllegalArgumentException("confusion counts must be non-negative");
    }
  }

  /** Counts of {@code targeted} against {@code labels}. */
  public static Confusion of(boolean[] targeted, boolean[] labels) {
    Metrics.requireRows(targeted.length, labels.length);
    long tp = 0;
    long fp = 0;
    long tn = 0;
    long fn = 0;
    for (int i = 0; i < labels.length; i++) {
      if (targeted[i]) {
        if (labels[i]) {
          tp++;
        } else {
          fp++;
        }
      } else if (labels[i]) {
        fn++;
      } else {
        tn++;
      }
    }
    return new Confusion(tp, fp, tn, fn);
  }

  public long total() {
    return truePositives + falsePositives + trueNegatives + falseNegatives;
  }

  public long targeted() {
    return truePositives + falsePositives;
  }

  public double precision() {
    return ratio(truePositives, truePositives + falsePositives);
  }

  public double recall() {
    return ratio(truePositives, truePositives + falseNegatives);
  }

  public double f1() {
    return ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives);
  }

  public double accuracy() {
    return ratio(truePositives + trueNegatives, total());
  }

  public ConfusionMatrix toProto() {
    return ConfusionMatrix.newBuilder()
        .setTruePositives(truePositives)
        .setFalsePositives(falsePositives)
        .setTrueNegatives(trueNegatives)
        .setFalseNegatives(falseNegatives)
        .build();
  }

  private static double ratio(long numerator, long denominator) {
    return denominator == 0 ? 0.0 : (double) numerator / denominator;
  }
}
