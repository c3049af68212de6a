package io.mlproof.pipelines.features;

import io.mlproof.proto.v1.Anomaly;
import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.FeatureStatistics;
import io.mlproof.proto.v1.ValidationReport;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The validation report as text for people: verdict, anomalies, notes, one line per feature. */
public final class ValidationReports {

  private ValidationReports() {}

  public static String text(
      ValidationReport report,
      DatasetStatistics current,
      Optional<DatasetStatistics> baseline,
      String input,
      String baselineDir,
      FeatureSpec schema,
      Validator.Thresholds limits) {
    StringBuilder out = new StringBuilder();
    out.append("mlproof validation: ")
        .append(report.getPassed() ? "PASSED" : "FAILED")
        .append(" (")
        .append(report.getAnomaliesCount())
        .append(" anomalies)\n");
    out.append("input:     ")
        .append(input)
        .append(" (")
        .append(current.getExamples())
        .append(" examples, ")
        .append(
            current.getLabeledExamples() == 0
                ? "no labels"
                : "label rate " + String.format(Locale.ROOT, "%.4f", current.getLabelRate()))
        .append(", cutoffs ")
        .append(
            current.getCutoffDaysList().stream()
                .map(Cutoffs::date)
                .collect(Collectors.joining(",")))
        .append(")\n");
    out.append("baseline:  ").append(baseline.isPresent() ? baselineDir : "none").append('\n');
    out.append("schema:    feature spec ")
        .append(schema.getName())
        .append(" v")
        .append(schema.getVersion())
        .append("; max row-count drop ")
        .append(Validator.pct(limits.maxRowCountDrop()))
        .append(", max drift ")
        .append(Validator.num(limits.maxDrift()))
        .append('\n');
    if (report.getAnomaliesCount() > 0) {
      out.append("\nAnomalies:\n");
      for (Anomaly a : report.getAnomaliesList()) {
        out.append("  ")
            .append(String.format(Locale.ROOT, "%-17s", a.getKind()))
            .append(a.getMessage())
            .append('\n');
      }
    }
    if (report.getNotesCount() > 0) {
      out.append("\nNotes:\n");
      report.getNotesList().forEach(n -> out.append("  ").append(n).append('\n'));
    }
    Map<String, FeatureStatistics> before = baseline.map(Validator::index).orElse(Map.of());
    out.append(
        String.format(
            Locale.ROOT,
            "%n%-28s %9s %8s %10s %10s %10s %10s %7s%n",
            "feature",
            "present",
            "missing",
            "min",
            "median",
            "mean",
            "max",
            "drift"));
    for (FeatureStatistics s : current.getFeaturesList()) {
      FeatureStatistics then = before.get(s.getFeature());
      boolean any = s.getCount() > 0;
      out.append(
          String.format(
              Locale.ROOT,
              "%-28s %9d %8s %10s %10s %10s %10s %7s%n",
              s.getFeature(),
              s.getCount(),
              Validator.pct(Validator.missingShare(s)),
              any ? Validator.num(s.getMin()) : "-",
              any ? Validator.num(s.getQuantiles(StatisticsFn.QUANTILES / 2)) : "-",
              any ? Validator.num(s.getMean()) : "-",
              any ? Validator.num(s.getMax()) : "-",
              then == null
                  ? "-"
                  : String.format(Locale.ROOT, "%.3f", CdfDistance.between(then, s))));
    }
    return out.toString();
  }
}
