package io.mlproof.pipelines.ab;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.pipelines.core.OptionsParser;
import io.mlproof.pipelines.core.TaskOptions;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.demo.DemoFixtures;
import io.mlproof.pipelines.demo.ExperimentSimulator;
import io.mlproof.pipelines.demo.SimulateExperimentOptions;
import io.mlproof.pipelines.demo.SimulateExperimentPipeline;
import io.mlproof.pipelines.warehouse.DuckDbFixture;
import io.mlproof.proto.v1.Assignment;
import io.mlproof.proto.v1.Manifest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runner parity of the A/B stages (issue 11): assign, simulate_experiment and analyze on the Direct
 * runner and on the Flink runner (embedded local cluster, parallelism 2), on the same small demo
 * warehouse, write the same records, files and warehouse rows, and each manifest names the runner
 * that ran it.
 */
class AbRunnerParityTest {
  private static final String DIRECT = "DirectRunner";
  private static final String FLINK = "FlinkRunner";
  private static final LocalDate ASSIGNED_ON = LocalDate.of(2024, 4, 1);
  private static final PrintStream QUIET =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  @TempDir static Path tmp;
  static Path warehouse;
  static Path scores;

  @BeforeAll
  static void warehouseAndScores() {
    warehouse = DemoFixtures.smallWarehouse(tmp, 5);
    scores = DemoFixtures.standInScores(warehouse, tmp.resolve("scores"), ASSIGNED_ON);
  }

  /** A stage's options on {@code runner}, against the warehouse, writing to stage-runner. */
  private static <T extends TaskOptions> T options(
      String stage, String runner, Class<T> type, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--warehouse=" + DuckDbFixture.spec(warehouse));
    all.add("--output=" + tmp.resolve(stage + "-" + runner));
    all.add("--runner=" + runner);
    if (runner.equals(FLINK)) {
      all.add("--parallelism=2");
    }
    return OptionsParser.parse(stage, all.toArray(String[]::new), type);
  }

  private static Manifest assign(String runner) {
    return AssignPipeline.run(
        options(
            AssignPipeline.NAME,
            runner,
            AssignOptions.class,
            "--scores=" + scores,
            "--experimentId=exp1",
            "--logicalDate=" + ASSIGNED_ON,
            "--targetTopFraction=0.3"),
        QUIET);
  }

  private static ExperimentSimulator.Summary simulate(String runner) {
    return SimulateExperimentPipeline.run(
        options(
            SimulateExperimentPipeline.NAME,
            runner,
            SimulateExperimentOptions.class,
            "--assignments=" + tmp.resolve("assign-" + DIRECT),
            "--saveRate=0.3",
            "--seed=11"),
        QUIET);
  }

  private static AnalyzePipeline.Result analyze(String runner) {
    return AnalyzePipeline.run(
        options(
            AnalyzePipeline.NAME,
            runner,
            AnalyzeOptions.class,
            "--assignments=" + tmp.resolve("assign-" + DIRECT),
            "--logicalDate=2024-04-29"),
        QUIET);
  }

  /**
   * One test, in the order the DAG runs the stages: each stage's input is the previous stage's
   * Direct output, and both runners of a stage see the same warehouse state.
   */
  @Test
  void directAndFlinkAssignSimulateAndAnalyzeAlike() throws Exception {
    // assign: both runs replace the same experiment's rows with the same assignments.
    Manifest assignDirect = assign(DIRECT);
    List<List<Object>> tablesAfterDirect = rows("ab_assignments", "ab_targets");
    Manifest assignFlink = assign(FLINK);
    assertThat(assignDirect.getRunner()).isEqualTo(DIRECT);
    assertThat(assignFlink.getRunner()).isEqualTo(FLINK);
    assertThat(assignFlink.getPipeline()).isEqualTo(AssignPipeline.NAME);
    assertThat(assignFlink.getCountersMap()).isEqualTo(assignDirect.getCountersMap());
    assertThat(assignFlink.getAttributesMap()).isEqualTo(assignDirect.getAttributesMap());
    assertThat(assignFlink.getQuerySha256()).isEqualTo(assignDirect.getQuerySha256());
    List<Assignment> assigned = AbPipelinesTest.assignments(tmp.resolve("assign-" + DIRECT));
    assertThat(assigned).isNotEmpty();
    assertThat(AbPipelinesTest.assignments(tmp.resolve("assign-" + FLINK))).isEqualTo(assigned);
    assertThat(bytes("assign-" + FLINK, AssignPipeline.TARGETS_CSV))
        .isEqualTo(bytes("assign-" + DIRECT, AssignPipeline.TARGETS_CSV));
    assertThat(rows("ab_assignments", "ab_targets")).isEqualTo(tablesAfterDirect);
    long targeted = assigned.stream().filter(Assignment::getTargeted).count();
    assertThat(assignDirect.getCountersMap()).containsEntry("targeted", targeted);

    // simulate_experiment: the same seeded draws replace the same outcome rows.
    ExperimentSimulator.Summary simulatedDirect = simulate(DIRECT);
    List<List<Object>> outcomesAfterDirect = rows("ab_outcomes");
    ExperimentSimulator.Summary simulatedFlink = simulate(FLINK);
    assertThat(simulatedFlink).isEqualTo(simulatedDirect);
    assertThat(rows("ab_outcomes")).isEqualTo(outcomesAfterDirect);
    assertThat(outcomesAfterDirect).hasSize(assigned.size());
    assertThat(simulatedDirect.users()).isEqualTo(assigned.size());
    assertThat(simulatedDirect.targeted()).isEqualTo(targeted);
    assertThat(simulatedDirect.churned())
        .isEqualTo(outcomesAfterDirect.stream().filter(r -> (Boolean) r.get(3)).count());
    for (String runner : List.of(DIRECT, FLINK)) {
      Manifest m =
          TaskOutput.read(tmp.resolve(SimulateExperimentPipeline.NAME + "-" + runner).toString());
      assertThat(m.getRunner()).isEqualTo(runner);
      assertThat(m.getPipeline()).isEqualTo(SimulateExperimentPipeline.NAME);
      assertThat(m.getAttributesMap())
          .containsEntry("single_machine_steps", "SimulateOutcomes")
          .containsEntry(AssignPipeline.EXPERIMENT_ATTRIBUTE, "exp1")
          .containsEntry("assigned_on", "2024-04-01");
      assertThat(m.getCountersMap())
          .containsEntry("users", (long) assigned.size())
          .containsEntry("targeted", targeted)
          .containsEntry("churned", simulatedDirect.churned())
          .containsEntry("targeted_churned", simulatedDirect.targetedChurned());
    }

    // analyze: the same analysis from the same sums, whatever the order the runner summed in.
    AnalyzePipeline.Result analyzedDirect = analyze(DIRECT);
    AnalyzePipeline.Result analyzedFlink = analyze(FLINK);
    assertThat(analyzedDirect.manifest().getRunner()).isEqualTo(DIRECT);
    assertThat(analyzedFlink.manifest().getRunner()).isEqualTo(FLINK);
    assertThat(analyzedFlink.manifest().getCountersMap())
        .isEqualTo(analyzedDirect.manifest().getCountersMap())
        .containsEntry("entities_with_outcome", (long) assigned.size());
    assertThat(analyzedFlink.analysis()).isEqualTo(analyzedDirect.analysis());
    for (String file : List.of(AnalyzePipeline.ANALYSIS_JSON, AnalyzePipeline.ANALYSIS_PROTO)) {
      assertThat(bytes("analyze-" + FLINK, file))
          .as(file)
          .isEqualTo(bytes("analyze-" + DIRECT, file));
    }
    assertThat(moments("analyze-" + FLINK)).isEqualTo(moments("analyze-" + DIRECT));
  }

  private static byte[] bytes(String output, String file) throws Exception {
    return Files.readAllBytes(tmp.resolve(output).resolve(file));
  }

  /** The moments lines of every shard, sorted: shard count and order are the runner's. */
  private static List<String> moments(String output) throws Exception {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(tmp.resolve(output))) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("moments-")).toList()) {
        lines.addAll(Files.readAllLines(f));
      }
    }
    lines.sort(Comparator.naturalOrder());
    return lines;
  }

  /** Every row of the tables, in a fixed order. */
  private static List<List<Object>> rows(String... tables) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement s = c.createStatement()) {
      for (String table : tables) {
        try (ResultSet r = s.executeQuery("SELECT * FROM " + table + " ORDER BY ALL")) {
          int columns = r.getMetaData().getColumnCount();
          while (r.next()) {
            List<Object> row = new ArrayList<>();
            row.add(table);
            for (int i = 1; i <= columns; i++) {
              row.add(r.getObject(i));
            }
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }
}
