package io.mlproof.pipelines.evaluate;

import io.mlproof.proto.v1.OperatingPoint;

/** How the operating point (who gets targeted) is chosen. */
public enum OperatingPointRule {
  /** The score threshold with the best F1 on the training rows, applied to the validation rows. */
  BEST_F1,
  /** The top fraction of the validation rows a campaign can afford, by score. */
  TOP_K;

  /** The value stored in {@code OperatingPoint.rule}: the same name. */
  public OperatingPoint.Rule proto() {
    return OperatingPoint.Rule.valueOf(name());
  }
}
