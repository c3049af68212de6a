package io.mlproof.pipelines.evaluate;

/** How the operating point (who gets targeted) is chosen. */
public enum OperatingPointRule {
  /** The score threshold with the best F1 on the training rows, applied to the validation rows. */
  BEST_F1("best_f1"),
  /** The top fraction of the validation rows a campaign can afford, by score. */
  TOP_K("top_k");

  private final String label;

  OperatingPointRule(String label) {
    this.label = label;
  }

  /** The name stored in {@code OperatingPoint.rule}. */
  public String label() {
    return label;
  }
}
