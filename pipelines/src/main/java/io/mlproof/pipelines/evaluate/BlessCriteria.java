package io.mlproof.pipelines.evaluate;

/**
 * What a model must show to be blessed: its F1 lead over the best baseline at the operating point,
 * judged by {@code rule}, must be at least {@code margin}. The bless stage owns these (so raising
 * the bar does not mean retraining); training states its verdict under {@link #DEFAULT}.
 */
public record BlessCriteria(double margin, BlessRule rule) {
  public static final double DEFAULT_MARGIN = 0.02;
  public static final BlessCriteria DEFAULT =
      new BlessCriteria(DEFAULT_MARGIN, BlessRule.LOWER_BOUND);

  public BlessCriteria {
    if (!(margin >= 0 && margin < 1)) {
      throw new IllegalArgumentException("bless margin must be in [0, 1), got " + margin);
    }
    if (rule == null) {
      throw new IllegalArgumentException("bless rule must be given");
    }
  }
}
