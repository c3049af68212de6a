package io.mlproof.pipelines.features;

import static io.mlproof.pipelines.features.CdfDistanceTest.deciles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.proto.v1.Anomaly;
import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.FeatureStatistics;
import io.mlproof.proto.v1.ValidationReport;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each anomaly kind, triggered alone, with its exact message. */
class ValidatorTest {
  static final FeatureSpec SCHEMA =
      FeatureSpecs.parse(
          "name: \"s\" eligibility_days: 90\n"
              + "label { name: \"churned\" definition: NO_PURCHASE horizon_days: 30 }\n"
              + "features { name: \"a\" type: NUMERIC aggregation: \"sum_sessions\" window_days: 7 min_value: 0 max_value: 10 }\n"
              + "features { name: \"b\" type: NUMERIC aggregation: \"sum_purchases\" window_days: 7 min_value: 0 }\n",
          "s");
  static final Validator.Thresholds LIMITS = new Validator.Thresholds(0.5, 0.25);

  static FeatureStatistics a() {
    return deciles(100, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10).toBuilder()
        .setFeature("a")
        .setMin(0)
        .setMax(10)
        .setMean(5)
        .build();
  }

  static FeatureStatistics b() {
    return deciles(80, 20, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3).toBuilder()
        .setFeature("b")
        .setMin(0)
        .setMax(3)
        .setMean(0.5)
        .build();
  }

  /** A healthy dataset: 100 examples, 30% positive. */
  static DatasetStatistics healthy() {
    return DatasetStatistics.newBuilder()
        .setFeatureSpecHash("h")
        .setExamples(100)
        .setLabeledExamples(100)
        .setPositives(30)
        .setLabelRate(0.3)
        .addFeatures(a())
        .addFeatures(b())
        .addCutoffDays(19_814)
        .build();
  }

  static ValidationReport check(DatasetStatistics current, DatasetStatistics baseline) {
    return Validator.validate(current, SCHEMA, Optional.ofNullable(baseline), LIMITS);
  }

  static Anomaly only(ValidationReport report) {
    assertThat(report.getPassed()).isFalse();
    assertThat(report.getAnomaliesList()).hasSize(1);
    return report.getAnomalies(0);
  }

  @Test
  void aHealthyDatasetPassesAndSaysWhatWasNotChecked() {
    ValidationReport report = check(healthy(), null);
    assertThat(report.getPassed()).isTrue();
    assertThat(report.getNotesList())
        .containsExactly(
            "no baseline: only absolute checks ran (row count and drift need a previous run)");
    assertThat(check(healthy(), healthy()).getPassed()).isTrue();
  }

  @Test
  void allMissing() {
    DatasetStatistics s =
        healthy().toBuilder().setFeatures(1, deciles(0, 100).toBuilder().setFeature("b")).build();
    Anomaly anomaly = only(check(s, null));
    assertThat(anomaly.getKind()).isEqualTo("ALL_MISSING");
    assertThat(anomaly.getFeature()).isEqualTo("b");
    assertThat(anomaly.getMessage()).isEqualTo("b is missing in all 100 examples");
  }

  @Test
  void labelRateZeroOrOne() {
    Anomaly zero = only(check(healthy().toBuilder().setPositives(0).setLabelRate(0).build(), null));
    assertThat(zero.getKind()).isEqualTo("LABEL_DEGENERATE");
    assertThat(zero.getMessage())
        .isEqualTo(
            "the label rate is 0 (0 of 100 labelled examples are positive): a model"
                + " cannot learn it; check the label definition, the horizon and the cutoffs");
    Anomaly one =
        only(check(healthy().toBuilder().setPositives(100).setLabelRate(1).build(), null));
    assertThat(one.getMessage())
        .startsWith("the label rate is 1 (100 of 100 labelled examples are positive)");
    ValidationReport scoring =
        check(healthy().toBuilder().setLabeledExamples(0).setPositives(0).build(), null);
    assertThat(scoring.getPassed()).isTrue();
    assertThat(scoring.getNotesList())
        .contains("no labelled examples (a scoring set): the label rate was not checked");
  }

  @Test
  void rowCountDrop() {
    DatasetStatistics baseline = healthy().toBuilder().setExamples(250).build();
    Anomaly anomaly = only(check(healthy(), baseline));
    assertThat(anomaly.getKind()).isEqualTo("ROW_COUNT_DROP");
    assertThat(anomaly.getMessage())
        .isEqualTo(
            "the example count dropped by 60.0% (from 250 to 100), more than the allowed 50.0%");
    assertThat(check(healthy(), healthy().toBuilder().setExamples(200).build()).getPassed())
        .as("exactly at the limit")
        .isTrue();
  }

  @Test
  void drift() {
    // a moved up by 3 decile widths: the rebuilt CDFs differ by 0.3 > 0.25.
    FeatureStatistics moved =
        deciles(100, 0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13).toBuilder()
            .setFeature("a")
            .setMin(3)
            .setMax(10)
            .build();
    Anomaly anomaly = only(check(healthy().toBuilder().setFeatures(0, moved).build(), healthy()));
    assertThat(anomaly.getKind()).isEqualTo("DRIFT");
    assertThat(anomaly.getFeature()).isEqualTo("a");
    assertThat(anomaly.getMessage())
        .isEqualTo(
            "a drifted: distance 0.300 from the baseline exceeds 0.25"
                + " (L-infinity distance between the distributions; median 5 -> 8, missing 0.0% -> 0.0%)");
  }

  @Test
  void outOfRange() {
    FeatureStatistics high = a().toBuilder().setMax(12).build();
    Anomaly anomaly = only(check(healthy().toBuilder().setFeatures(0, high).build(), null));
    assertThat(anomaly.getKind()).isEqualTo("OUT_OF_RANGE");
    assertThat(anomaly.getMessage()).isEqualTo("a has maximum 12, above the expected maximum 10");
    FeatureStatistics negative = b().toBuilder().setMin(-1.5).build();
    assertThat(
            only(check(healthy().toBuilder().setFeatures(1, negative).build(), null)).getMessage())
        .isEqualTo("b has minimum -1.5, below the expected minimum 0");
  }

  @Test
  void schemaMismatchAndEmptyDataset() {
    DatasetStatistics renamed =
        healthy().toBuilder().setFeatures(1, b().toBuilder().setFeature("c")).build();
    Anomaly anomaly = only(check(renamed, null));
    assertThat(anomaly.getKind()).isEqualTo("SCHEMA_MISMATCH");
    assertThat(anomaly.getMessage())
        .isEqualTo("the features differ from the schema: missing [b], unexpected [c]");
    ValidationReport empty =
        check(
            DatasetStatistics.newBuilder()
                .addFeatures(deciles(0, 0).toBuilder().setFeature("a"))
                .addFeatures(deciles(0, 0).toBuilder().setFeature("b"))
                .build(),
            null);
    assertThat(empty.getAnomaliesList())
        .extracting(Anomaly::getKind)
        .containsExactly("NO_EXAMPLES");
  }

  @Test
  void severalAnomaliesAreAllReportedInOneLine() {
    DatasetStatistics bad =
        healthy().toBuilder()
            .setPositives(0)
            .setExamples(10)
            .setFeatures(1, deciles(0, 10).toBuilder().setFeature("b"))
            .build();
    ValidationReport report = check(bad, healthy());
    assertThat(report.getAnomaliesList())
        .extracting(Anomaly::getKind)
        .containsExactly("ALL_MISSING", "LABEL_DEGENERATE", "ROW_COUNT_DROP", "DRIFT");
    assertThat(Validator.summary(report))
        .startsWith("ALL_MISSING b is missing in all 10 examples; LABEL_DEGENERATE ")
        .doesNotContain("\n");
  }

  @Test
  void thresholdsAreChecked() {
    assertThatThrownBy(() -> new Validator.Thresholds(1.5, 0.2))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--maxRowCountDrop must be between 0 and 1, got 1.5");
    assertThatThrownBy(() -> new Validator.Thresholds(0.5, 0))
        .hasMessage("--maxDrift must be in (0, 1], got 0.0");
  }
}
