package io.mlproof.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlproof.pipelines.demo.DemoFixtures;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's A/B loop through the shaded jar: one `dags run demo_ab_test` goes from the demo DAG's
 * scores to a verdict (assign, simulate_experiment, analyze, report), and the analysis recovers the
 * planted save rate. The scores are a stand-in for the demo DAG's score task (fewer recent sessions
 * = higher risk, DemoFixtures.standInScores) written where that task writes them: this DAG starts
 * at the scores, and the demo DAG itself is DemoDagIT's.
 */
class DemoAbDagIT {
  private static final String DS = "2024-06-03";
  @TempDir Path dir;

  @Test
  void oneDagRunGoesFromTheScoresToAVerdictThatRecoversThePlantedSaveRate() throws Exception {
    Path warehouse = MlproofCli.demoWarehouse(dir, dir.resolve("w.duckdb"), "--users", "2000");
    Path runRoot = dir.resolve("runs");
    DemoFixtures.standInScores(
        warehouse, runRoot.resolve("demo/" + DS + "/score"), LocalDate.parse(DS));

    MlproofCli.Result run =
        MlproofCli.run(
            dir,
            "dags",
            "run",
            "demo_ab_test",
            "--logical-date",
            DS,
            "--dags-folder",
            MlproofCli.repo().resolve("dags").toString(),
            "--run-root",
            runRoot.toString(),
            "--state",
            dir.resolve("state.sqlite").toString(),
            "--runner",
            "direct",
            "--conf",
            "{\"warehouse\": \"duckdb:" + warehouse + "\", \"target_top_fraction\": 0.3}");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).contains("verdict: ");

    Path out = runRoot.resolve("demo_ab_test/" + DS);
    JsonNode analysis = new ObjectMapper().readTree(out.resolve("analyze/analysis.json").toFile());
    JsonNode saveRate = analysis.path("saveRate");
    // Independently: the same ratio straight from the warehouse tables the tasks wrote, in SQL.
    double treated =
        scalar(
            warehouse,
            "SELECT avg(CAST(o.churned AS DOUBLE)) FROM ab_assignments a JOIN ab_outcomes o"
                + " USING (experiment_id, entity_id) WHERE a.flagged AND a.arm = 'treatment'");
    double control =
        scalar(
            warehouse,
            "SELECT avg(CAST(o.churned AS DOUBLE)) FROM ab_assignments a JOIN ab_outcomes o"
                + " USING (experiment_id, entity_id) WHERE a.flagged AND a.arm = 'control'");
    assertThat(saveRate.path("estimate").asDouble())
        .isCloseTo(1 - treated / control, within(1e-12));
    assertThat(saveRate.path("ci95Low").asDouble()).isLessThan(0.3);
    assertThat(saveRate.path("ci95High").asDouble()).isGreaterThan(0.3);

    JsonNode simulated =
        new ObjectMapper().readTree(out.resolve("simulate_experiment/manifest.json").toFile());
    double assigned =
        scalar(
            warehouse, "SELECT count(*) FROM ab_assignments WHERE experiment_id = 'demo_campaign'");
    assertThat(simulated.path("counters").path("users").asDouble()).isEqualTo(assigned);
    assertThat(
            scalar(
                warehouse,
                "SELECT count(*) FROM ab_outcomes WHERE experiment_id = 'demo_campaign'"))
        .isEqualTo(assigned);
    assertThat(out.resolve("report/report.html")).exists();
  }

  private static double scalar(Path warehouse, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getDouble(1);
    }
  }
}
