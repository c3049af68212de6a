package io.mlproof.pipelines.features;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.proto.v1.Anomaly;
import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.Feature;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.FeatureStatistics;
import io.mlproof.proto.v1.ValidationReport;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The validation gate's checks (what TFX's ExampleValidator does with StatisticsGen's output and a
 * SchemaGen schema): absolute checks against the expected schema, and comparisons with the previous
 * run's statistics when there is one. Pure: statistics in, report out.
 */
public final class Validator {

  /** The kinds of anomaly; their names are the {@code Anomaly.kind} strings. */
  public enum Kind {
    NO_EXAMPLES,
    SCHEMA_MISMATCH,
    ALL_MISSING,
    OUT_OF_RANGE,
    LABEL_DEGENERATE,
    ROW_COUNT_DROP,
    DRIFT
  }

  /**
   * Limits of the comparisons with the baseline.
   *
   * @param maxRowCountDrop largest allowed relative drop of the example count (0.5 = half)
   * @param maxDrift largest allowed {@link CdfDistance} of any feature
   */
  public record Thresholds(double maxRowCountDrop, double maxDrift) implements Serializable {
    public Thresholds {
      if (!(maxRowCountDrop >= 0 && maxRowCountDrop <= 1)) {
        throw new InvalidInputException(
            "--maxRowCountDrop must be between 0 and 1, got " + maxRowCountDrop);
      }
      if (!(maxDrift > 0 && maxDrift <= 1)) {
        throw new InvalidInputException("--maxDrift must be in (0, 1], got " + maxDrift);
      }
    }
  }

  private Validator() {}

  /**
   * Checks {@code current} against {@code schema} and, when present, {@code baseline}: the three
   * parts below merged in this order (the pipeline runs them as steps, {@link ValidateStatistics}).
   */
  public static ValidationReport validate(
      DatasetStatistics current,
      FeatureSpec schema,
      Optional<DatasetStatistics> baseline,
      Thresholds limits) {
    return merge(
        List.of(
            checkSchema(current, schema),
            checkLabel(current),
            compareWithBaseline(current, baseline, limits)));
  }

  /**
   * The absolute checks against the expected schema: any examples at all, the feature names in
   * order, and per feature all-missing and out-of-range values.
   */
  public static ValidationReport checkSchema(DatasetStatistics current, FeatureSpec schema) {
    List<Anomaly> anomalies = new ArrayList<>();
    Map<String, FeatureStatistics> byName = index(current);
    if (current.getExamples() == 0) {
      anomalies.add(anomaly(Kind.NO_EXAMPLES, "", "the dataset has no examples"));
    }
    checkNames(current, schema, anomalies);
    for (Feature f : schema.getFeaturesList()) {
      FeatureStatistics s = byName.get(f.getName());
      if (s == null || current.getExamples() == 0) {
        continue;
      }
      if (s.getCount() == 0) {
        anomalies.add(
            anomaly(
                Kind.ALL_MISSING,
                f.getName(),
                f.getName() + " is missing in all " + current.getExamples() + " examples"));
        continue;
      }
      if (f.hasMinValue() && s.getMin() < f.getMinValue()) {
        anomalies.add(
            anomaly(
                Kind.OUT_OF_RANGE,
                f.getName(),
                f.getName()
                    + " has minimum "
                    + num(s.getMin())
                    + ", below the expected minimum "
                    + num(f.getMinValue())));
      }
      if (f.hasMaxValue() && s.getMax() > f.getMaxValue()) {
        anomalies.add(
            anomaly(
                Kind.OUT_OF_RANGE,
                f.getName(),
                f.getName()
                    + " has maximum "
                    + num(s.getMax())
                    + ", above the expected maximum "
                    + num(f.getMaxValue())));
      }
    }
    return part(anomalies, List.of());
  }

  /** The comparisons with the previous run, or a note that there is none. */
  public static ValidationReport compareWithBaseline(
      DatasetStatistics current, Optional<DatasetStatistics> baseline, Thresholds limits) {
    List<Anomaly> anomalies = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (baseline.isPresent()) {
      compare(current, baseline.get(), limits, anomalies, notes);
    } else {
      notes.add("no baseline: only absolute checks ran (row count and drift need a previous run)");
    }
    return part(anomalies, notes);
  }

  /** Parts of a report, in order, as one report: it passes when no part found an anomaly. */
  public static ValidationReport merge(List<ValidationReport> parts) {
    ValidationReport.Builder report = ValidationReport.newBuilder();
    for (ValidationReport part : parts) {
      report.addAllAnomalies(part.getAnomaliesList()).addAllNotes(part.getNotesList());
    }
    return report.setPassed(report.getAnomaliesCount() == 0).build();
  }

  private static ValidationReport part(List<Anomaly> anomalies, List<String> notes) {
    return merge(
        List.of(
            ValidationReport.newBuilder().addAllAnomalies(anomalies).addAllNotes(notes).build()));
  }

  private static void checkNames(
      DatasetStatistics current, FeatureSpec schema, List<Anomaly> anomalies) {
    List<String> expected = FeatureSpecs.featureNames(schema);
    List<String> actual =
        current.getFeaturesList().stream().map(FeatureStatistics::getFeature).toList();
    if (expected.equals(actual)) {
      return;
    }
    List<String> missing = expected.stream().filter(n -> !actual.contains(n)).toList();
    List<String> unexpected = actual.stream().filter(n -> !expected.contains(n)).toList();
    anomalies.add(
        anomaly(
            Kind.SCHEMA_MISMATCH,
            "",
            missing.isEmpty() && unexpected.isEmpty()
                ? "the features are in a different order than the schema's"
                : "the features differ from the schema: missing "
                    + missing
                    + ", unexpected "
                    + unexpected));
  }

  /** The label rate: neither 0 nor 1 when there are labels. */
  public static ValidationReport checkLabel(DatasetStatistics current) {
    List<Anomaly> anomalies = new ArrayList<>();
    long labeled = current.getLabeledExamples();
    if (labeled == 0) {
      return part(
          List.of(),
          List.of("no labelled examples (a scoring set): the label rate was not checked"));
    }
    if (current.getPositives() == 0 || current.getPositives() == labeled) {
      anomalies.add(
          anomaly(
              Kind.LABEL_DEGENERATE,
              "",
              "the label rate is "
                  + (current.getPositives() == 0 ? "0" : "1")
                  + " ("
                  + current.getPositives()
                  + " of "
                  + labeled
                  + " labelled examples are positive): a model cannot learn it; check the label definition,"
                  + " the horizon and the cutoffs"));
    }
    return part(anomalies, List.of());
  }

  private static void compare(
      DatasetStatistics current,
      DatasetStatistics baseline,
      Thresholds limits,
      List<Anomaly> anomalies,
      List<String> notes) {
    notes.add("baseline: " + baseline.getExamples() + " examples");
    if (baseline.getExamples() > 0) {
      double drop = 1 - (double) current.getExamples() / baseline.getExamples();
      if (drop > limits.maxRowCountDrop()) {
        anomalies.add(
            anomaly(
                Kind.ROW_COUNT_DROP,
                "",
                "the example count dropped by "
                    + pct(drop)
                    + " (from "
                    + baseline.getExamples()
                    + " to "
                    + current.getExamples()
                    + "), more than the allowed "
                    + pct(limits.maxRowCountDrop())));
      }
    }
    if (!current.getFeatureSpecHash().equals(baseline.getFeatureSpecHash())) {
      notes.add("the baseline used another feature spec: drift compared on the features both have");
    }
    Map<String, FeatureStatistics> before = index(baseline);
    for (FeatureStatistics now : current.getFeaturesList()) {
      FeatureStatistics then = before.get(now.getFeature());
      if (then == null
          || then.getCount() + then.getMissing() == 0
          || now.getCount() + now.getMissing() == 0) {
        continue;
      }
      double distance = CdfDistance.between(then, now);
      if (distance > limits.maxDrift()) {
        anomalies.add(
            anomaly(
                Kind.DRIFT,
                now.getFeature(),
                now.getFeature()
                    + " drifted: distance "
                    + String.format(Locale.ROOT, "%.3f", distance)
                    + " from the baseline exceeds "
                    + num(limits.maxDrift())
                    + " (L-infinity distance between the distributions; median "
                    + median(then)
                    + " -> "
                    + median(now)
                    + ", missing "
                    + pct(missingShare(then))
                    + " -> "
                    + pct(missingShare(now))
                    + ")"));
      }
    }
  }

  /** One line for exceptions and logs: every anomaly, separated by semicolons. */
  public static String summary(ValidationReport report) {
    return report.getAnomaliesList().stream()
        .map(a -> a.getKind() + " " + a.getMessage())
        .collect(Collectors.joining("; "));
  }

  static Map<String, FeatureStatistics> index(DatasetStatistics stats) {
    return stats.getFeaturesList().stream()
        .collect(Collectors.toMap(FeatureStatistics::getFeature, Function.identity(), (a, b) -> a));
  }

  static double missingShare(FeatureStatistics s) {
    long total = s.getCount() + s.getMissing();
    return total == 0 ? 0 : (double) s.getMissing() / total;
  }

  private static String median(FeatureStatistics s) {
    return s.getQuantilesCount() == StatisticsFn.QUANTILES
        ? num(s.getQuantiles(StatisticsFn.QUANTILES / 2))
        : "n/a";
  }

  static String pct(double share) {
    return String.format(Locale.ROOT, "%.1f%%", share * 100);
  }

  /** A number for people: at most 4 significant digits, no trailing zeros. */
  static String num(double x) {
    if (!Double.isFinite(x)) {
      return Double.toString(x);
    }
    return new java.math.BigDecimal(x)
        .round(new java.math.MathContext(4))
        .stripTrailingZeros()
        .toPlainString();
  }

  private static Anomaly anomaly(Kind kind, String feature, String message) {
    return Anomaly.newBuilder()
        .setKind(kind.name())
        .setFeature(feature)
        .setMessage(message)
        .build();
  }
}
