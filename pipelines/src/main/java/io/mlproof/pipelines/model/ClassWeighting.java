package io.mlproof.pipelines.model;

/** How training counters class imbalance (churners are usually a small minority). */
public enum ClassWeighting {
  /**
   * Plain log loss: probabilities stay calibrated, and the operating point (best-F1 threshold or
   * top-k) does the imbalance work. The default, because the report shows log loss, Brier and
   * calibration, which reweighting would distort.
   */
  NONE,
  /** LightGBM's {@code is_unbalance=true}: positives weighted by negatives / positives. */
  BALANCED,
  /** LightGBM's {@code scale_pos_weight}, set by {@code --scalePosWeight}. */
  SCALE_POS_WEIGHT
}
