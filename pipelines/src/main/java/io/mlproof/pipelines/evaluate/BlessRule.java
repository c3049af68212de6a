package io.mlproof.pipelines.evaluate;

/** Which figure of the model's lead over the best baseline must clear the bless margin. */
public enum BlessRule {
  /**
   * The lower end of the lead's 95% bootstrap interval: the model is blessed only when the test
   * rows show it ahead by the margin even at the unlucky end of their sampling noise. The default:
   * a 0.037 lead on 300 rows is not the same evidence as on 6,000.
   */
  LOWER_BOUND("lower_bound", "lower bound of the 95% interval"),
  /** The lead measured on the test rows, ignoring how noisy it is. */
  POINT_ESTIMATE("point_estimate", "point estimate");

  private final String label;
  private final String words;

  BlessRule(String label, String words) {
    this.label = label;
    this.words = words;
  }

  /** The name stored in {@code Verdict.bless_rule} and {@code Blessing.bless_rule}. */
  public String label() {
    return label;
  }

  /** The figure in plain words, for verdicts. */
  public String words() {
    return words;
  }
}
