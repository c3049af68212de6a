package io.mlproof.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlproof.proto.v1.BacktestFold;
import io.mlproof.proto.v1.BacktestResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The churn_backtest DAG through the shaded jar on a 1,000-user demo warehouse (the default 180
 * days from 2024-01-01), and the leakage test: a copy of the warehouse with every row after the
 * first fold's label window deleted gives that fold byte-identical figures.
 *
 * <p>The first fold is 2024-04-15 and its label window (2024-04-15, 2024-05-13]. The features stage
 * calls a label window complete when the data reaches its last day, so the copy keeps the rows of
 * 2024-05-13 itself (after the window's last instant, 2024-05-13 00:00, but needed to show the data
 * got there) and loses every row from 2024-05-14 on: events, payments and users who signed up then.
 */
class BacktestDagIT {
  private static final String DS = "2024-06-03";
  private static final String FIRST_FOLD = "2024-04-15";
  @TempDir static Path dir;
  static MlproofCli.Result full;
  static MlproofCli.Result cut;

  @BeforeAll
  static void runTwice() throws Exception {
    Path warehouse = dir.resolve("w.duckdb");
    MlproofCli.demoWarehouse(dir, warehouse, "--users", "1000");
    Path truncated = dir.resolve("cut.duckdb");
    Files.copy(warehouse, truncated);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + truncated);
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM events WHERE event_at >= TIMESTAMP '2024-05-14 00:00:00'");
      s.execute("DELETE FROM payments WHERE paid_at >= TIMESTAMP '2024-05-14 00:00:00'");
      s.execute("DELETE FROM users WHERE signup_at >= TIMESTAMP '2024-05-14 00:00:00'");
    }
    full = dag("full", warehouse);
    cut = dag("cut", truncated);
  }

  private static MlproofCli.Result dag(String name, Path warehouse) throws Exception {
    return MlproofCli.run(
        dir,
        "dags",
        "run",
        "churn_backtest",
        "--logical-date",
        DS,
        "--dags-folder",
        MlproofCli.repo().resolve("dags").toString(),
        "--run-root",
        dir.resolve(name).toString(),
        "--state",
        dir.resolve(name + ".sqlite").toString(),
        "--conf",
        "{\"warehouse\": \"duckdb:" + warehouse + "\"}");
  }

  private static BacktestResult result(String name) throws Exception {
    return BacktestResult.parseFrom(
        Files.readAllBytes(dir.resolve(name + "/churn_backtest/" + DS + "/backtest/backtest.pb")));
  }

  private static JsonNode json(String name) throws Exception {
    return new ObjectMapper()
        .readTree(dir.resolve(name + "/churn_backtest/" + DS + "/backtest/backtest.json").toFile());
  }

  @Test
  void theDagBacktestsFourCompleteWeeklyFoldsAndReportsTheOpenOne() throws Exception {
    assertThat(full.exitCode()).as(full.stderr()).isZero();
    BacktestResult result = result("full");
    assertThat(result.getFoldsList())
        .extracting(BacktestFold::getCutoff)
        .containsExactly("2024-04-15", "2024-04-22", "2024-04-29", "2024-05-06", "2024-05-13");
    assertThat(result.getFoldsList())
        .extracting(BacktestFold::getComplete)
        .containsExactly(true, true, true, true, false);
    JsonNode json = json("full");
    assertThat(json.path("horizonDays").asInt()).isEqualTo(28);
    assertThat(json.path("folds").get(4).path("complete").asBoolean(true)).isFalse();
    assertThat(json.path("aggregate").path("completeFolds").asInt()).isEqualTo(4);
    assertThat(full.stdout()).contains("backtest").contains("success");
  }

  @Test
  void deletingEverythingAfterAFoldsLabelWindowLeavesThatFoldByteIdentical() throws Exception {
    assertThat(full.exitCode()).as(full.stderr()).isZero();
    assertThat(cut.exitCode()).as(cut.stderr()).isZero();
    BacktestFold before = result("full").getFolds(0);
    BacktestFold after = result("cut").getFolds(0);
    assertThat(before.getCutoff()).isEqualTo(FIRST_FOLD);
    assertThat(before.getComplete()).isTrue();
    assertThat(after.toByteArray()).isEqualTo(before.toByteArray());
    assertThat(json("cut").path("folds").get(0).toString())
        .isEqualTo(json("full").path("folds").get(0).toString());
    // the deletion did reach the later folds: their label windows are now open
    assertThat(result("cut").getFoldsList().subList(1, 5))
        .extracting(BacktestFold::getComplete)
        .containsOnly(false);
  }
}
