package io.mlproof.pipelines.evaluate;

import io.mlproof.proto.v1.ClassificationMetrics;
import io.mlproof.proto.v1.EvaluationResult;
import io.mlproof.proto.v1.Lead;
import io.mlproof.proto.v1.Verdict;
import java.util.Locale;

/**
 * "Do we need ML at all?" in plain words: the model's F1 at the operating point against the best
 * baseline's, with the 95% interval of the difference, and whether the difference (its lower bound
 * or its point estimate, {@link BlessRule}) clears the required margin (absolute F1).
 */
public final class Verdicts {
  /** Differences this small are rounding, not a shortfall. */
  private static final double SLACK = 1e-12;

  private Verdicts() {}

  /** The baseline with the highest F1 (the first one on equal F1). */
  public static ClassificationMetrics bestBaseline(EvaluationResult result) {
    ClassificationMetrics best = null;
    for (ClassificationMetrics b : result.getBaselinesList()) {
      if (best == null || b.getF1() > best.getF1()) {
        best = b;
      }
    }
    if (best == null) {
      throw new IllegalArgumentException("evaluation has no baselines");
    }
    return best;
  }

  /**
   * The verdict under {@code criteria}: the model's F1 lead over the best baseline at the operating
   * point, with its 95% interval when the evaluation has one, in plain words. An evaluation without
   * an interval (made before intervals were recorded) can only clear a point-estimate rule.
   */
  public static Verdict againstBaselines(EvaluationResult result, BlessCriteria criteria) {
    ClassificationMetrics model = result.getModel();
    ClassificationMetrics best = bestBaseline(result);
    double lead = model.getF1() - best.getF1();
    boolean hasInterval = result.hasUncertainty();
    Lead f1 = result.getUncertainty().getOperatingPoint();
    double low = hasInterval ? f1.getCi95Low() : Double.NaN;
    double high = hasInterval ? f1.getCi95High() : Double.NaN;
    double judged = criteria.rule() == BlessRule.LOWER_BOUND ? low : lead;
    boolean cleared =
        !Double.isNaN(judged) && judged + SLACK >= criteria.margin() && model.getF1() > 0;
    String interval =
        hasInterval ? String.format(Locale.ROOT, " (95%% CI %.3f to %.3f)", low, high) : "";
    String where =
        String.format(
            Locale.ROOT,
            "at the %s operating point on %d test rows (model %.3f vs %.3f)",
            model.getOperatingPoint().getRule().name().toLowerCase(Locale.ROOT),
            result.getExamples(),
            model.getF1(),
            best.getF1());
    StringBuilder summary = new StringBuilder();
    if (hasInterval && low > 0) {
      summary.append(
          String.format(
              Locale.ROOT,
              "The model beats the best baseline, %s, by %.3f F1%s %s.",
              best.getName(),
              lead,
              interval,
              where));
    } else if (hasInterval && high < 0) {
      summary.append(
          String.format(
              Locale.ROOT,
              "The best baseline, %s, beats the model by %.3f F1%s %s.",
              best.getName(),
              -lead,
              String.format(Locale.ROOT, " (95%% CI %.3f to %.3f)", -high, -low),
              where));
    } else if (hasInterval) {
      summary.append(
          String.format(
              Locale.ROOT,
              "The model and the best baseline, %s, cannot be told apart on this much data: the model's lead is"
                  + " %.3f F1%s %s.",
              best.getName(),
              lead,
              interval,
              where));
    } else {
      summary.append(
          String.format(
              Locale.ROOT,
              "The model's lead over the best baseline, %s, is %.3f F1 %s"
                  + " (no interval was recorded).",
              best.getName(),
              lead,
              where));
    }
    if (hasInterval) {
      Lead auc = result.getUncertainty().getRocAuc();
      summary.append(
          String.format(
              Locale.ROOT,
              " In ROC-AUC it leads %s by %.3f (95%% CI %.3f to %.3f).",
              auc.getBaseline(),
              auc.getEstimate(),
              auc.getCi95Low(),
              auc.getCi95High()));
    }
    String figure =
        criteria.rule() == BlessRule.LOWER_BOUND
            ? String.format(Locale.ROOT, "the lead's lower bound (%.3f)", low)
            : String.format(Locale.ROOT, "the lead (%.3f)", lead);
    if (cleared) {
      summary.append(
          String.format(
              Locale.ROOT,
              " Bless requires %s to reach the margin of %.3f F1: it does, ML pays here.",
              figure,
              criteria.margin()));
    } else {
      summary.append(
          String.format(
              Locale.ROOT,
              " Bless requires %s to reach the margin of %.3f F1: it does not, keep the baseline.",
              criteria.rule() == BlessRule.LOWER_BOUND && !hasInterval
                  ? "the lead's lower bound, which was not recorded,"
                  : figure,
              criteria.margin()));
    }
    Verdict.Builder verdict =
        Verdict.newBuilder()
            .setBlessed(cleared)
            .setSummary(summary.toString())
            .setBestBaseline(best.getName())
            .setModelF1(model.getF1())
            .setBestBaselineF1(best.getF1())
            .setRequiredMargin(criteria.margin())
            .setLead(lead)
            .setLeadCi95Low(low)
            .setLeadCi95High(high)
            .setBlessRule(criteria.rule().proto());
    if (!cleared) {
      verdict.addReasons(
          hasInterval || criteria.rule() == BlessRule.POINT_ESTIMATE
              ? String.format(
                  Locale.ROOT,
                  "the %s of the F1 lead over %s is %.3f%s, below the required margin of %.3f",
                  criteria.rule().words(),
                  best.getName(),
                  judged,
                  interval,
                  criteria.margin())
              : "the evaluation records no interval for the lead: retrain, or bless with --blessRule=POINT_ESTIMATE");
    }
    return verdict.build();
  }
}
