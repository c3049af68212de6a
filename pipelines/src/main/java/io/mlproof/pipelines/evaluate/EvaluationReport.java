package io.mlproof.pipelines.evaluate;

import io.mlproof.proto.v1.ClassificationMetrics;
import io.mlproof.proto.v1.EvaluationResult;
import io.mlproof.proto.v1.FeatureImportance;
import io.mlproof.proto.v1.LiftPoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The evaluation as a table people read in a terminal, ending with the verdict. */
public final class EvaluationReport {
  private static final int TOP_FEATURES = 10;

  private EvaluationReport() {}

  public static String table(EvaluationResult result, String title) {
    StringBuilder out = new StringBuilder();
    out.append(title).append('\n');
    out.append(
        String.format(
            Locale.ROOT,
            "test rows: %d, positives: %d (%.1f%%)%n",
            result.getExamples(),
            result.getPositives(),
            100.0 * result.getPositives() / Math.max(1, result.getExamples())));
    List<ClassificationMetrics> rows = new ArrayList<>();
    rows.add(result.getModel());
    rows.addAll(result.getBaselinesList());
    int nameWidth =
        Math.max(12, rows.stream().mapToInt(r -> r.getName().length()).max().orElse(12));
    String header =
        String.format(
            Locale.ROOT,
            "%-" + nameWidth + "s %8s %6s %6s %6s %6s %6s %7s %7s %8s %6s %6s %6s %6s",
            "",
            "targeted",
            "TP",
            "FP",
            "prec",
            "recall",
            "F1",
            "ROC-AUC",
            "PR-AUC",
            "log loss",
            "Brier",
            "lift5",
            "lift10",
            "lift20");
    out.append(header).append('\n');
    for (ClassificationMetrics m : rows) {
      out.append(
              String.format(
                  Locale.ROOT,
                  "%-"
                      + nameWidth
                      + "s %7.1f%% %6d %6d %6.3f %6.3f %6.3f %7.3f %7.3f %8.4f %6.4f %6.2f %6.2f %6.2f",
                  m.getName(),
                  100 * m.getOperatingPoint().getTargetedFraction(),
                  m.getConfusion().getTruePositives(),
                  m.getConfusion().getFalsePositives(),
                  m.getPrecision(),
                  m.getRecall(),
                  m.getF1(),
                  m.getRocAuc(),
                  m.getPrAuc(),
                  m.getLogLoss(),
                  m.getBrier(),
                  lift(m, 0),
                  lift(m, 1),
                  lift(m, 2)))
          .append('\n');
    }
    if (result.getImportanceCount() > 0) {
      out.append("top features by gain: ");
      List<String> top =
          result.getImportanceList().stream()
              .sorted(Comparator.comparingDouble(FeatureImportance::getGain).reversed())
              .limit(TOP_FEATURES)
              .map(f -> String.format(Locale.ROOT, "%s %.1f", f.getFeature(), f.getGain()))
              .toList();
      out.append(String.join(", ", top)).append('\n');
    }
    out.append("verdict: ").append(result.getVerdict().getSummary()).append('\n');
    return out.toString();
  }

  private static double lift(ClassificationMetrics m, int i) {
    List<LiftPoint> lift = m.getLiftList();
    return i < lift.size() ? lift.get(i).getLift() : Double.NaN;
  }
}
