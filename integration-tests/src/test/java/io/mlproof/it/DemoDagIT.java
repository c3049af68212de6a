package io.mlproof.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo DAG end to end through the shaded jar, as `make run` runs it, on the Direct runner and a
 * small demo warehouse: extract → features → validate → train → bless → score.
 *
 * <p>On this little data (1,000 users over 120 days, so about 640 test rows) the model's F1 lead
 * over the tuned heuristic is within noise: the DAG runs with {@link MlproofCli#ANY_LEAD_BAR} so
 * that scoring and the report can be checked, and the default bar is then applied to the same
 * trained model by {@code mlproof run bless}, which must refuse it and say why with the interval.
 * Enough data for the default bar is too big for a test that must stay short: on warehouses with
 * 180 days of history the lead was 0.042 F1 (95% CI 0.016 to 0.068) with 1,000 users, 0.039 (0.021
 * to 0.056) with 2,000 and 0.033 (0.020 to 0.045) with 3,000 (docs/TRAINING.md).
 */
class DemoDagIT {
  private static final String DS =
      "2024-04-29"; // a Monday: the demo DAG's schedule fires on Mondays

  @TempDir static Path dir;
  static Path warehouse;
  static MlproofCli.Result run;

  @BeforeAll
  static void runDemoDag() throws Exception {
    warehouse = dir.resolve("w.duckdb");
    MlproofCli.demoWarehouse(dir, warehouse, "--users", "1000", "--days", "120");
    run =
        mlproof(
            "dags",
            "run",
            "demo",
            "--logical-date",
            DS,
            "--dags-folder",
            repo().resolve("dags").toString(),
            "--run-root",
            dir.resolve("runs").toString(),
            "--state",
            dir.resolve("state.sqlite").toString(),
            "--runner",
            "direct",
            "--conf",
            "{\"warehouse\": \"duckdb:" + warehouse + "\", " + MlproofCli.ANY_LEAD_BAR + "}",
            "--output",
            "json");
  }

  @Test
  void everyTaskSucceeds() {
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    for (String task :
        List.of(
            "extract_activity",
            "features",
            "validate",
            "train",
            "bless",
            "score_features",
            "score")) {
      assertThat(dir.resolve("runs/demo/" + DS + "/" + task + "/manifest.json")).as(task).exists();
    }
  }

  /**
   * The run report of the demo run in a real browser (headless Chromium): every section and chart
   * has a size on the page, the page asked for nothing but itself, and a screenshot is kept in
   * integration-tests/target/report-screenshot.png.
   */
  @Test
  void theReportRendersEverySectionAndChartOffline() throws Exception {
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    Path html = dir.resolve("runs/demo/" + DS + "/report/report.html");
    assertThat(html).exists();
    Path profile = Files.createDirectories(dir.resolve("chromium/profile"));
    try (HeadlessChromium chromium = HeadlessChromium.start(profile)) {
      chromium.call("Network.enable", null);
      chromium.call("Page.enable", null);
      chromium.call("Page.navigate", HeadlessChromium.params().put("url", html.toUri().toString()));
      chromium.await("Page.loadEventFired");
      JsonNode sections =
          chromium.evaluate(
              "[...document.querySelectorAll('section')]"
                  + ".filter(s => s.getBoundingClientRect().height > 50).map(s => s.id)");
      assertThat(sections)
          .extracting(JsonNode::asText)
          .containsExactly("verdicts", "data", "model", "run");
      JsonNode charts =
          chromium.evaluate(
              "[...document.querySelectorAll('figure.chart > svg, figure.chart > table')]"
                  + ".filter(e => e.getBoundingClientRect().width > 200 && e.getBoundingClientRect().height > 100)"
                  + ".map(e => e.id || e.parentElement.id)");
      assertThat(charts)
          .extracting(JsonNode::asText)
          .containsExactly(
              "chart-roc",
              "chart-pr",
              "chart-calibration",
              "chart-gains",
              "chart-confusion",
              "chart-importance",
              "chart-dag");
      // Every chart drew its data: the ROC and gains curves are paths, the DAG has a box per task.
      assertThat(chromium.evaluate("document.querySelectorAll('#chart-dag g.task').length").asInt())
          .isEqualTo(8);
      assertThat(chromium.evaluate("document.querySelectorAll('#chart-roc path').length").asInt())
          .isGreaterThan(5);
      // Blessed or not is the bless task's decision on the data (issue 12), not this test's: the
      // card
      // must say what blessing.json says and, when not blessed, a red alert must sit above the
      // verdicts.
      boolean blessed =
          new ObjectMapper()
              .readTree(dir.resolve("runs/demo/" + DS + "/bless/blessing.json").toFile())
              .path("blessed")
              .asBoolean();
      assertThat(
              chromium
                  .evaluate(
                      "document.getElementById('card-blessed').querySelector('.a').textContent")
                  .asText())
          .isEqualTo(blessed ? "Yes" : "No");
      JsonNode unblessedAlertsAboveVerdicts =
          chromium.evaluate(
              "[...document.querySelectorAll('.alert.bad')]"
                  + ".filter(a => a.textContent.includes('Model NOT blessed') && a.getBoundingClientRect().height > 10"
                  + " && a.getBoundingClientRect().bottom <= document.getElementById('verdicts').getBoundingClientRect().top)"
                  + ".length");
      assertThat(unblessedAlertsAboveVerdicts.asInt()).isEqualTo(blessed ? 0 : 1);
      chromium.screenshot(Path.of("target", "report-screenshot.png"));
      assertThat(chromium.requestedUrls()).containsExactly(html.toUri().toString());
    }
    assertThat(Path.of("target", "report-screenshot.png")).isNotEmptyFile();
  }

  /**
   * One score per user eligible at ds, counted independently from the raw tables: signed up before
   * ds, with a valid event in the 90 days before ds (docs/FEATURES.md, churn_v1).
   */
  @Test
  void scoresEveryEligibleUserOnceWithRanksOneToN() throws SQLException {
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse, readOnly());
        Statement s = c.createStatement()) {
      long eligible =
          scalar(
              s,
              """
          SELECT count(DISTINCT u.user_id) FROM users u JOIN events e ON e.user_id = u.user_id
          WHERE u.signup_at < DATE '%1$s'
            AND e.event_at >= DATE '%1$s' - INTERVAL 90 DAY AND e.event_at < DATE '%1$s'
            AND e.event_type IN ('session_start', 'page_view', 'add_to_cart', 'purchase')
            AND (e.amount IS NULL OR e.amount >= 0)"""
                  .formatted(DS));
      assertThat(eligible).isGreaterThan(100);
      assertThat(scalar(s, "SELECT count(*) FROM churn_scores WHERE score_day = DATE '" + DS + "'"))
          .isEqualTo(eligible);
      assertThat(scalar(s, "SELECT count(DISTINCT entity_id) FROM churn_scores"))
          .isEqualTo(eligible);
      assertThat(scalar(s, "SELECT min(rank) FROM churn_scores")).isEqualTo(1);
      assertThat(scalar(s, "SELECT max(rank) FROM churn_scores")).isEqualTo(eligible);
      assertThat(scalar(s, "SELECT count(*) FROM churn_scores WHERE score < 0 OR score > 1"))
          .isZero();
    }
  }

  /**
   * "Do we need ML at all?" on this little data: the model's F1 lead over the tuned
   * days-since-last-purchase rule is stated with its 95% interval, and bless under its defaults
   * (lower bound of that interval at least 0.02) refuses the model, exit code 1, naming the
   * interval; the same model passed the run's own bar, any lead in point estimate. A lead within
   * noise is not blessed.
   */
  @Test
  void aLeadWithinNoiseIsNotBlessedUnderTheDefaultBar() throws Exception {
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    ObjectMapper json = new ObjectMapper();
    Path train = dir.resolve("runs/demo/" + DS + "/train");
    JsonNode evaluation = json.readTree(train.resolve("evaluation.json").toFile());
    double modelF1 = evaluation.path("model").path("f1").asDouble();
    JsonNode heuristic = null;
    for (JsonNode baseline : evaluation.path("baselines")) {
      if (baseline.path("name").asText().startsWith("heuristic:days_since_last_purchase")) {
        heuristic = baseline;
      }
    }
    assertThat(heuristic).as("the tuned recency heuristic is among the baselines").isNotNull();
    JsonNode lead = evaluation.path("uncertainty").path("operatingPoint");
    assertThat(lead.path("baseline").asText()).isEqualTo(heuristic.path("name").asText());
    assertThat(lead.path("estimate").asDouble())
        .isCloseTo(modelF1 - heuristic.path("f1").asDouble(), within(1e-12));
    String interval =
        String.format(
            Locale.ROOT,
            "(95%% CI %.3f to %.3f)",
            lead.path("ci95Low").asDouble(),
            lead.path("ci95High").asDouble());
    assertThat(lead.path("ci95Low").asDouble()).isLessThan(0.02);
    assertThat(evaluation.path("verdict").path("summary").asText()).contains(interval);
    JsonNode runBlessing =
        json.readTree(dir.resolve("runs/demo/" + DS + "/bless/blessing.json").toFile());
    assertThat(runBlessing.path("blessRule").asText()).isEqualTo("POINT_ESTIMATE");
    assertThat(runBlessing.path("blessed").asBoolean())
        .isEqualTo(lead.path("estimate").asDouble() > 0)
        .isTrue();

    MlproofCli.Result rebless =
        mlproof("run", "bless", "--model=" + train, "--output=" + dir.resolve("rebless"));
    assertThat(rebless.exitCode()).as(rebless.stderr()).isEqualTo(1);
    assertThat(rebless.stderr())
        .contains(
            String.format(
                Locale.ROOT,
                "the lower bound of the 95%% interval of the F1 lead over %s is %.3f %s, below the required margin of 0.020",
                heuristic.path("name").asText(),
                lead.path("ci95Low").asDouble(),
                interval));
    JsonNode blessing = json.readTree(dir.resolve("rebless/blessing.json").toFile());
    assertThat(blessing.path("blessed").asBoolean()).isFalse();
    assertThat(blessing.path("blessRule").asText()).isEqualTo("LOWER_BOUND");
    assertThat(blessing.path("margin").asDouble()).isEqualTo(0.02);
    assertThat(dir.resolve("rebless/model.txt")).doesNotExist();
  }

  private static long scalar(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static java.util.Properties readOnly() {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("duckdb.read_only", "true");
    return p;
  }

  static Path repo() {
    return MlproofCli.repo();
  }

  static MlproofCli.Result mlproof(String... args) throws IOException, InterruptedException {
    return MlproofCli.run(dir, args);
  }
}
