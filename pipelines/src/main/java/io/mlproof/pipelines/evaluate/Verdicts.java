package io.mlproof.pipelines.evaluate;

import io.mlproof.proto.v1.ClassificationMetrics;
import io.mlproof.proto.v1.EvaluationResult;
import io.mlproof.proto.v1.Verdict;
import java.util.Locale;

/**
 * "Do we need ML at all?" in plain words: the model's F1 at the operating point against the best
 * baseline's, and whether the difference clears the required margin (absolute F1).
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

  public static Verdict againstBaselines(EvaluationResult result, double margin) {
    ClassificationMetrics model = result.getModel();
    ClassificationMetrics best = bestBaseline(result);
    double lead = model.getF1() - best.getF1();
    boolean cleared = lead + SLACK >= margin && model.getF1() > 0;
    String point = model.getOperatingPoint().getRule();
    String comparison = String.format(Locale.ROOT, "(model %.3f vs %.3f) at the %s operating point",
        model.getF1(), best.getF1(), point);
    String summary;
    if (cleared) {
      summary = String.format(Locale.ROOT,
          "The model beats the best baseline, %s, by %.3f F1 %s; the required margin is %.3f, so it"
              + " clears the bar: ML pays here.",
          best.getName(), lead, comparison, margin);
    } else if (lead > 0) {
      summary = String.format(Locale.ROOT,
          "The model beats the best baseline, %s, by only %.3f F1 %s, less than the required margin"
              + " of %.3f: keep the baseline, ML does not pay here yet.",
          best.getName(), lead, comparison, margin);
    } else {
      summary = String.format(Locale.ROOT,
          "The best baseline, %s, matches or beats the model by %.3f F1 %s (required margin %.3f):"
              + " keep the baseline, ML does not pay here.",
          best.getName(), -lead, comparison, margin);
    }
    Verdict.Builder verdict = Verdict.newBuilder()
        .setBlessed(cleared)
        .setSummary(summary)
        .setBestBaseline(best.getName())
        .setModelF1(model.getF1())
        .setBestBaselineF1(best.getF1())
        .setRequiredMargin(margin);
    if (!cleared) {
      verdict.addReasons(String.format(Locale.ROOT,
          "margin over %s is %.3f F1, required %.3f", best.getName(), lead, margin));
    }
    return verdict.build();
  }
}
