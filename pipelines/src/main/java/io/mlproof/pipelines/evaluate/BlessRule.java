package io.mlproof.pipelines.evaluate;

import io.mlproof.proto.v1.Verdict;

/** Which figure of the model's lead over the best baseline must clear the bless margin. */
public enum BlessRule {
  /**
   * The lower end of the lead's 95% bootstrap interval: the model is blessed only when the test
   * rows show it ahead by the margin even at the unlucky end of their sampling noise. The default:
   * a 0.037 lead on 300 rows is not the same evidence as on 6,000.
   */
  LOWER_BOUND("lower bound of the 95% interval"),
  /** The lead measured on the test rows, ignoring how noisy it is. */
  POINT_ESTIMATE("point estimate");

  private final String words;

  BlessRule(String words) {
    this.words = words;
  }

  /** The value stored in {@code Verdict.bless_rule} and {@code Blessing.bless_rule}: same name. */
  public Verdict.BlessRule proto() {
    return Verdict.BlessRule.valueOf(name());
  }

  /** The figure in plain words, for verdicts. */
  public String words() {
    return words;
  }
}
