package io.mlproof.pipelines.ab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.OptionsParser;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.demo.DemoFixtures;
import io.mlproof.pipelines.demo.ExperimentSimulator;
import io.mlproof.pipelines.demo.SimulateExperimentOptions;
import io.mlproof.pipelines.demo.SimulateExperimentPipeline;
import io.mlproof.pipelines.warehouse.DuckDbFixture;
import io.mlproof.proto.v1.AbAnalysis;
import io.mlproof.proto.v1.Assignment;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.Score;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** assign, the demo simulator and analyze on real DuckDB files and real Beam runners. */
class AbPipelinesTest {
  @TempDir Path tmp;

  @Test
  void assignIsStableAcrossRunsAndRunnersAndFlagsTheTopOfTheRanking() throws Exception {
    Path warehouse =
        DuckDbFixture.create(
            tmp.resolve("w.duckdb"),
            "INSERT INTO users SELECT i, TIMESTAMP '2024-01-01' + INTERVAL (i % 50) DAY, 'US', 'organic'"
                + " FROM range(1, 1201) t(i)");
    // 800 of the 1,200 users have a score; rank i for user i, so the top 10% are users 1..80.
    Path scores = scores(tmp.resolve("scores"), 800);
    Manifest direct = assign(warehouse, scores, "direct", "--allocation=50/50");
    Manifest again = assign(warehouse, scores, "direct-again", "--allocation=50/50");
    Manifest flink =
        assign(
            warehouse,
            scores,
            "flink",
            "--allocation=50/50",
            "--runner=FlinkRunner",
            "--parallelism=2");
    List<Assignment> first = assignments(tmp.resolve("direct"));
    assertThat(first).hasSize(1200);
    assertThat(assignments(tmp.resolve("direct-again"))).isEqualTo(first);
    assertThat(assignments(tmp.resolve("flink"))).isEqualTo(first);
    assertThat(flink.getRunner()).isEqualTo("FlinkRunner");
    assertThat(flink.getCountersMap()).isEqualTo(direct.getCountersMap());
    assertThat(again.getCountersMap()).isEqualTo(direct.getCountersMap());

    Bucketing bucketing = new Bucketing("exp1", 10_000, Allocation.parse("50/50"));
    long flagged = 0;
    long targeted = 0;
    for (Assignment a : first) {
      long id = Long.parseLong(a.getEntityId());
      assertThat(a.getArm()).isEqualTo(bucketing.arm(bucketing.bucket(a.getEntityId())));
      assertThat(a.getFlagged()).as(a.getEntityId()).isEqualTo(id <= 80);
      assertThat(a.getTargeted()).isEqualTo(id <= 80 && a.getArm().equals("treatment"));
      assertThat(Double.isNaN(a.getScore())).isEqualTo(id > 800);
      flagged += a.getFlagged() ? 1 : 0;
      targeted += a.getTargeted() ? 1 : 0;
    }
    assertThat(flagged).isEqualTo(80);
    // Beam reports only counters that were incremented: every scored user was eligible.
    assertThat(direct.getCountersMap())
        .containsEntry("targeted", targeted)
        .doesNotContainKey("scored_not_eligible");
    assertThat(Files.readAllLines(tmp.resolve("direct").resolve(AssignPipeline.TARGETS_CSV)))
        .hasSize((int) targeted + 1);
    assertThat(count(warehouse, "SELECT count(*) FROM ab_targets WHERE experiment_id = 'exp1'"))
        .isEqualTo(targeted);
    // Three runs, one experiment: the table holds one assignment per user.
    assertThat(count(warehouse, "SELECT count(*) FROM ab_assignments")).isEqualTo(1200);
    assertThat(
            count(
                warehouse, "SELECT count(*) FROM ab_assignments WHERE flagged AND arm = 'control'"))
        .isEqualTo(flagged - targeted);
  }

  @Test
  void assignRejectsBadInputWithOneLine() {
    Path warehouse = DuckDbFixture.create(tmp.resolve("w.duckdb"));
    Path scores = scores(tmp.resolve("scores"), 10);
    assertThatThrownBy(() -> assign(warehouse, scores, "bad", "--allocation=90/x"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("allocation '90/x': 'x' is not a number");
    assertThatThrownBy(() -> assign(warehouse, tmp.resolve("nowhere"), "bad"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("manifest.json is missing");
    assertThatThrownBy(() -> assign(warehouse, scores, "bad"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("returned no entities");
    assertThat(Files.exists(tmp.resolve("bad").resolve(TaskOutput.MANIFEST))).isFalse();
  }

  /**
   * The demo loop: assign on the demo warehouse, simulate a planted effect, analyze recovers it.
   */
  @Test
  void analyzeRecoversThePlantedEffectOnTheDemoWarehouse() throws Exception {
    Path warehouse = DemoFixtures.smallWarehouse(tmp, 5);
    LocalDate assignedOn = LocalDate.of(2024, 4, 1);
    Path scores = DemoFixtures.standInScores(warehouse, tmp.resolve("scores"), assignedOn);
    assign(warehouse, scores, "assign", "--logicalDate=" + assignedOn, "--targetTopFraction=0.3");
    ExperimentSimulator.Summary simulated =
        ExperimentSimulator.simulate(warehouse, "exp1", assignedOn, 0.3, 11, "ab_assignments");
    assertThat(simulated.users())
        .isEqualTo(count(warehouse, "SELECT count(*) FROM ab_assignments"));

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    AnalyzeOptions options =
        OptionsParser.parse(
            "analyze",
            new String[] {
              "--warehouse=" + DuckDbFixture.spec(warehouse),
              "--output=" + tmp.resolve("analyze"),
              "--assignments=" + tmp.resolve("assign"),
              "--logicalDate=2024-04-29"
            },
            AnalyzeOptions.class);
    AbAnalysis a =
        AnalyzePipeline.run(options, new PrintStream(printed, true, StandardCharsets.UTF_8))
            .analysis();

    // Independent count of the same quantity straight from the tables, in SQL.
    double flaggedTreated = rate(warehouse, "a.flagged AND a.arm = 'treatment'");
    double flaggedControl = rate(warehouse, "a.flagged AND a.arm = 'control'");
    assertThat(a.getSaveRate().getEstimate())
        .isCloseTo(1 - flaggedTreated / flaggedControl, within(1e-12));
    assertThat(a.getSaveRate().getCi95Low()).isLessThan(0.3);
    assertThat(a.getSaveRate().getCi95High()).isGreaterThan(0.3);
    assertThat(a.getSrm().getFlagged()).isFalse();
    assertThat(a.getArms(0).getEntities() + a.getArms(1).getEntities())
        .isEqualTo(simulated.users());
    assertThat(a.getCuped(0).getVarianceReduction()).isGreaterThan(0.01);
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("verdict: ");

    JsonNode json =
        new ObjectMapper()
            .readTree(tmp.resolve("analyze").resolve(AnalyzePipeline.ANALYSIS_JSON).toFile());
    assertThat(json.get("saveRate").get("estimate").asDouble())
        .isEqualTo(a.getSaveRate().getEstimate());
    assertThat(json.get("saveRate").get("ci95Low").isNumber()).isTrue();
    assertThat(json.get("saveRate").get("definition").asText())
        .isEqualTo(AbAnalyzer.SAVE_RATE_DEFINITION);
    assertThat(json.get("verdict").asText()).isEqualTo(a.getVerdict());
    assertThat(
            AbAnalysis.parseFrom(
                Files.readAllBytes(tmp.resolve("analyze").resolve(AnalyzePipeline.ANALYSIS_PROTO))))
        .isEqualTo(a);
  }

  /**
   * The DAG task form of the simulator: what the assign task says, written as the CLI command
   * writes it.
   */
  @Test
  void simulateExperimentTaskTakesTheAssignTasksExperimentAndWritesOnlyIntoADemoWarehouse()
      throws Exception {
    Path warehouse = DemoFixtures.smallWarehouse(tmp, 5);
    LocalDate assignedOn = LocalDate.of(2024, 4, 1);
    assign(
        warehouse,
        DemoFixtures.standInScores(warehouse, tmp.resolve("scores"), assignedOn),
        "assign",
        "--logicalDate=" + assignedOn,
        "--targetTopFraction=0.3");
    ExperimentSimulator.Summary s =
        SimulateExperimentPipeline.run(
            OptionsParser.parse(
                "simulate_experiment",
                new String[] {
                  "--warehouse=" + DuckDbFixture.spec(warehouse),
                  "--output=" + tmp.resolve("simulate"),
                  "--assignments=" + tmp.resolve("assign"),
                  "--saveRate=0.3",
                  "--seed=11"
                },
                SimulateExperimentOptions.class),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    long assigned =
        count(warehouse, "SELECT count(*) FROM ab_assignments WHERE experiment_id = 'exp1'");
    assertThat(s.users()).isEqualTo(assigned);
    assertThat(count(warehouse, "SELECT count(*) FROM ab_outcomes WHERE experiment_id = 'exp1'"))
        .isEqualTo(assigned);
    assertThat(s.targeted())
        .isEqualTo(
            count(warehouse, "SELECT count(*) FROM ab_targets WHERE experiment_id = 'exp1'"));
    Manifest manifest = TaskOutput.read(tmp.resolve("simulate").toString());
    assertThat(manifest.getAttributesMap())
        .containsEntry("assigned_on", "2024-04-01")
        .containsEntry(AssignPipeline.EXPERIMENT_ATTRIBUTE, "exp1")
        .containsEntry("planted_save_rate", "0.3");
    assertThat(manifest.getCountersMap()).containsEntry("users", assigned);
    // The same draws as the CLI command's for the same experiment, date, rate and seed.
    long churnedByTask = count(warehouse, "SELECT count(*) FROM ab_outcomes WHERE churned");
    assertThat(
            ExperimentSimulator.simulate(warehouse, "exp1", assignedOn, 0.3, 11, "ab_assignments")
                .churned())
        .isEqualTo(churnedByTask)
        .isEqualTo(s.churned());

    Path plain = DuckDbFixture.create(tmp.resolve("plain.duckdb"));
    assertThatThrownBy(
            () ->
                SimulateExperimentPipeline.run(
                    OptionsParser.parse(
                        "simulate_experiment",
                        new String[] {
                          "--warehouse=" + DuckDbFixture.spec(plain),
                          "--output=" + tmp.resolve("refused"),
                          "--assignments=" + tmp.resolve("assign")
                        },
                        SimulateExperimentOptions.class),
                    System.out))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--warehouse="
                + DuckDbFixture.spec(plain)
                + " is not an mlproof demo warehouse (`mlproof demo"
                + " init` builds one): the simulator invents outcomes and writes them only into a demo warehouse");
    assertThat(
            count(plain, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'ab_outcomes'"))
        .isZero();
    assertThat(tmp.resolve("refused")).doesNotExist();
  }

  /**
   * The grouped join: an outcome nobody was assigned is counted and left out; a second outcome row
   * is refused.
   */
  @Test
  void analyzeCountsOutcomesWithoutAssignmentAndRefusesASecondOutcomeRow() throws Exception {
    Path warehouse = DemoFixtures.smallWarehouse(tmp, 5);
    LocalDate assignedOn = LocalDate.of(2024, 4, 1);
    assign(
        warehouse,
        DemoFixtures.standInScores(warehouse, tmp.resolve("scores"), assignedOn),
        "assign",
        "--logicalDate=" + assignedOn);
    ExperimentSimulator.Summary simulated =
        ExperimentSimulator.simulate(warehouse, "exp1", assignedOn, 0.3, 11, "ab_assignments");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO ab_outcomes VALUES ('exp1', 'ghost-1', true, 3), ('exp1', 'ghost-2', false, 0)");
    }
    AnalyzePipeline.Result result =
        AnalyzePipeline.run(analyzeOptions(warehouse, "analyze"), System.out);
    assertThat(result.manifest().getCountersMap())
        .containsEntry("outcome_without_assignment", 2L)
        .containsEntry("entities_with_outcome", simulated.users())
        .doesNotContainKey("assigned_without_outcome");
    assertThat(
            result.analysis().getArms(0).getEntities() + result.analysis().getArms(1).getEntities())
        .isEqualTo(simulated.users());
    assertThat(
            result.analysis().getArms(0).getChurners() + result.analysis().getArms(1).getChurners())
        .isEqualTo(simulated.churned());

    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO ab_outcomes SELECT * FROM ab_outcomes WHERE entity_id = (SELECT min(entity_id) FROM"
              + " ab_assignments)");
    }
    assertThatThrownBy(() -> AnalyzePipeline.run(analyzeOptions(warehouse, "twice"), System.out))
        .hasMessageContaining(
            "has more than one outcome row: the outcomes query must return one row per entity");
    assertThat(tmp.resolve("twice").resolve(TaskOutput.MANIFEST)).doesNotExist();
  }

  private AnalyzeOptions analyzeOptions(Path warehouse, String output) {
    return OptionsParser.parse(
        "analyze",
        new String[] {
          "--warehouse=" + DuckDbFixture.spec(warehouse),
          "--output=" + tmp.resolve(output),
          "--assignments=" + tmp.resolve("assign"),
          "--logicalDate=2024-04-29"
        },
        AnalyzeOptions.class);
  }

  @Test
  void analyzeFailsWhenOutcomesAreMissing() throws Exception {
    Path warehouse = DemoFixtures.smallWarehouse(tmp, 5);
    LocalDate assignedOn = LocalDate.of(2024, 4, 1);
    assign(
        warehouse,
        DemoFixtures.standInScores(warehouse, tmp.resolve("scores"), assignedOn),
        "assign",
        "--logicalDate=" + assignedOn);
    ExperimentSimulator.simulate(warehouse, "exp1", assignedOn, 0.3, 11, "ab_assignments");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement s = c.createStatement()) {
      s.execute(
          "DELETE FROM ab_outcomes WHERE entity_id IN (SELECT entity_id FROM ab_outcomes LIMIT 50)");
    }
    AnalyzeOptions options =
        OptionsParser.parse(
            "analyze",
            new String[] {
              "--warehouse=" + DuckDbFixture.spec(warehouse),
              "--output=" + tmp.resolve("analyze"),
              "--assignments=" + tmp.resolve("assign"),
              "--logicalDate=2024-04-29"
            },
            AnalyzeOptions.class);
    assertThatThrownBy(() -> AnalyzePipeline.run(options, System.out))
        .hasMessageStartingWith("50 of ")
        .hasMessageContaining("have no outcome row");
    assertThat(Files.exists(tmp.resolve("analyze").resolve(TaskOutput.MANIFEST))).isFalse();
  }

  private Manifest assign(Path warehouse, Path scores, String name, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--warehouse=" + DuckDbFixture.spec(warehouse),
                "--output=" + tmp.resolve(name),
                "--scores=" + scores,
                "--experimentId=exp1"));
    if (java.util.Arrays.stream(extra).noneMatch(e -> e.startsWith("--logicalDate"))) {
      args.add("--logicalDate=2024-03-01");
    }
    args.addAll(List.of(extra));
    return AssignPipeline.run(
        OptionsParser.parse("assign", args.toArray(String[]::new), AssignOptions.class),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  /** A score task's output (real TFRecords and manifest) ranking users 1..n in id order. */
  private static Path scores(Path dir, int n) {
    List<Score> list = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      list.add(
          Score.newBuilder()
              .setEntityId(Integer.toString(i))
              .setScore(1 - (double) i / (n + 1))
              .setRank(i)
              .setModelId("m")
              .build());
    }
    return DemoFixtures.writeScores(dir, list);
  }

  static List<Assignment> assignments(Path dir) {
    List<Assignment> list = new ArrayList<>();
    TfRecordFiles.read(
        dir.resolve("assignments-*.tfrecord").toString(),
        (bytes, length, file) -> list.add(Assignment.parseFrom(ByteBuffer.wrap(bytes, 0, length))));
    list.sort(Comparator.comparing(Assignment::getEntityId));
    return list;
  }

  private static long count(Path warehouse, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static double rate(Path warehouse, String where) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT avg(CAST(o.churned AS DOUBLE)) FROM ab_assignments a JOIN ab_outcomes o"
                    + " USING (experiment_id, entity_id) WHERE "
                    + where)) {
      r.next();
      return r.getDouble(1);
    }
  }
}
