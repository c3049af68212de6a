package io.mlproof.orchestrator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.testing.HarnessTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every figure of report.json on the hand-made run of {@link ReportFixture}, worked out by hand.
 */
class ReportFiguresTest extends HarnessTest {
  private JsonNode r;

  @BeforeEach
  void build() {
    Dag dag = ReportFixture.write(h);
    r = ReportFigures.of(RunData.read(dag, ReportFixture.DATE, h.store, h.settings.runRoot()));
  }

  @Test
  void verdictsGiveTheLeadOverEveryBaselineAndTheBlessing() {
    JsonNode v = r.path("verdicts");
    List<String> baselines = new ArrayList<>();
    v.path("against")
        .forEach(a -> baselines.add(a.path("kind").asText() + " " + a.path("baseline").asText()));
    assertThat(baselines)
        .containsExactly(
            "status quo status_quo",
            "random targeting random",
            "tuned heuristic heuristic:days_since_last_purchase>9");
    // Model F1 0.8 against 0, 0.1 and 0.7.
    assertThat(v.path("against").get(0).path("lead").asDouble()).isCloseTo(0.8, within(1e-12));
    assertThat(v.path("against").get(1).path("lead").asDouble()).isCloseTo(0.7, within(1e-12));
    assertThat(v.path("against").get(2).path("lead").asDouble()).isCloseTo(0.1, within(1e-12));
    assertThat(v.path("against").get(2).path("beaten").asBoolean()).isTrue();
    assertThat(v.path("bestBaseline").asText()).isEqualTo("heuristic:days_since_last_purchase>9");
    assertThat(v.path("blessed").asBoolean(true)).isFalse();
    assertThat(r.path("headline").asText())
        .isEqualTo(
            "NOT BLESSED. The model beats the best baseline,"
                + " heuristic:days_since_last_purchase>9, by 0.100 F1. A/B: sample ratio mismatch, no verdict.");
  }

  @Test
  void theLeadsBootstrapIntervalIsTakenFromTrainingsUncertainty() throws Exception {
    // The shape train writes (issue 12): uncertainty.operatingPoint is the F1 lead at the operating
    // point.
    JsonNode evaluation =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(
                """
        {"uncertainty": {"method": "paired bootstrap, percentile interval", "resamples": 1000,
          "operatingPoint": {"metric": "f1", "estimate": 0.037, "ci95Low": 0.021, "ci95High": 0.052},
          "rocAuc": {"metric": "roc_auc", "estimate": 0.1, "ci95Low": 0.05, "ci95High": 0.15}}}
        """);
    JsonNode interval = ReportFigures.interval(evaluation).orElseThrow();
    assertThat(interval.path("estimate").asDouble()).isEqualTo(0.037);
    assertThat(interval.path("low").asDouble()).isEqualTo(0.021);
    assertThat(interval.path("high").asDouble()).isEqualTo(0.052);
    assertThat(ReportFigures.interval(evaluation.path("uncertainty").path("method"))).isEmpty();
  }

  @Test
  void everyWarningBecomesAnAlert() {
    List<String> alerts = new ArrayList<>();
    r.path("alerts")
        .forEach(a -> alerts.add(a.path("level").asText() + ": " + a.path("title").asText()));
    assertThat(alerts)
        .containsExactly(
            "bad: Model NOT blessed",
            "warn: Validation warning: DRIFT in days_since_last_purchase",
            "warn: Validation note",
            "bad: A/B sample ratio mismatch (SRM)",
            "bad: Task score failed");
    assertThat(r.path("alerts").get(0).path("text").asText())
        .contains("the 95% lower bound of the lead");
  }

  @Test
  void dataShowsRowsLabelRateAndFeatureStatistics() {
    JsonNode d = r.path("data");
    assertThat(d.path("examples").asLong()).isEqualTo(10);
    assertThat(d.path("labelRate").asDouble()).isEqualTo(0.4);
    assertThat(d.path("cutoffs").get(0).asText()).isEqualTo("2024-01-01");
    JsonNode f = d.path("features").get(0);
    assertThat(f.path("missingShare").asDouble()).isEqualTo(0.2); // 2 of 8 + 2
    assertThat(f.path("median").asDouble()).isEqualTo(5); // the middle of 11 deciles 0..10
    assertThat(d.path("validation").path("anomalies").get(0).path("kind").asText())
        .isEqualTo("DRIFT");
  }

  @Test
  void rocAndPrCurvesComeFromThePredictionsWithBothOperatingPointsMarked() {
    JsonNode roc = r.path("model").path("roc");
    assertThat(xy(roc.path("points")))
        .containsExactly("0.0,0.0", "0.0,0.333", "0.5,0.667", "1.0,0.667", "1.0,1.0");
    // Model: FP 2 of 90 stayers, recall 0.8; heuristic: FP 3 of 90, recall 0.7.
    assertThat(roc.path("markers").get(0).path("x").asDouble()).isEqualTo(2.0 / 90);
    assertThat(roc.path("markers").get(0).path("y").asDouble()).isEqualTo(0.8);
    assertThat(roc.path("markers").get(1).path("name").asText()).isEqualTo("heuristic");
    assertThat(roc.path("markers").get(1).path("x").asDouble()).isEqualTo(3.0 / 90);
    assertThat(roc.path("markers").get(1).path("y").asDouble()).isEqualTo(0.7);
    JsonNode pr = r.path("model").path("precisionRecall");
    assertThat(xy(pr.path("points")))
        .containsExactly("0.333,1.0", "0.667,0.667", "0.667,0.5", "1.0,0.6");
    assertThat(pr.path("baseRate").asDouble()).isEqualTo(0.1); // 10 of 100 held-out rows
    assertThat(pr.path("markers").get(1).path("x").asDouble()).isEqualTo(0.7);
  }

  @Test
  void gainsCalibrationConfusionAndImportance() {
    JsonNode m = r.path("model");
    assertThat(xy(m.path("gains").path("points")))
        .containsExactly("0.0,0.0", "0.2,0.333", "0.6,0.667", "0.8,0.667", "1.0,1.0");
    assertThat(m.path("gains").path("markers").get(1).path("lift").asDouble()).isEqualTo(8);
    assertThat(m.path("calibration").get(1).path("observedRate").asDouble()).isEqualTo(0.18);
    assertThat(m.path("confusion").path("truePositives").asLong()).isEqualTo(8);
    assertThat(m.path("confusion").path("trueNegatives").asLong()).isEqualTo(88);
    // Gains 3 and 1: shares 0.75 and 0.25, largest first.
    assertThat(m.path("importance").get(0).path("feature").asText())
        .isEqualTo("days_since_last_purchase");
    assertThat(m.path("importance").get(0).path("share").asDouble()).isEqualTo(0.75);
    assertThat(m.path("importance").get(1).path("share").asDouble()).isEqualTo(0.25);
  }

  @Test
  void backtestAndAbAreKeptWithTheirChartData() {
    JsonNode folds = r.path("backtest").path("netValueByFold");
    assertThat(folds.get(0).path("netValue").path("model").asDouble()).isEqualTo(120);
    assertThat(folds.get(1).path("complete").asBoolean(true)).isFalse();
    assertThat(r.path("ab").path("srmFlagged").asBoolean()).isTrue();
  }

  @Test
  void theRunHasEveryTaskWithItsStateDurationAndColumn() {
    JsonNode run = r.path("run");
    assertThat(run.path("state").asText()).isEqualTo("failed");
    assertThat(run.path("runner").asText()).isEqualTo("DirectRunner"); // what the stages ran on
    assertThat(run.path("modelId").asText()).isEqualTo("m1");
    List<String> tasks = new ArrayList<>();
    run.path("tasks")
        .forEach(
            t ->
                tasks.add(
                    t.path("id").asText()
                        + " "
                        + t.path("layer").asInt()
                        + " "
                        + t.path("state").asText()
                        + " "
                        + t.path("durationS").asText("-")));
    assertThat(tasks)
        .containsExactly(
            "features 0 success 12.5",
            "validate 1 success 3.0",
            "train 2 success 41.0",
            "bless 3 success 2.0",
            "backtest 1 success 60.0",
            "analyze 0 success 5.0",
            "score 4 failed 5.0",
            "report 5 none -");
    assertThat(run.path("tasks").get(0).path("querySha256").asText()).isEqualTo("ab12cd");
  }

  private static List<String> xy(JsonNode points) {
    List<String> out = new ArrayList<>();
    points.forEach(p -> out.add(round(p.get(0).asDouble()) + "," + round(p.get(1).asDouble())));
    return out;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
