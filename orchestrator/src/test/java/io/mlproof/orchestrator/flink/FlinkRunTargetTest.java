package io.mlproof.orchestrator.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.orchestrator.core.RunnerKind;
import io.mlproof.orchestrator.core.RunnerSpec;
import io.mlproof.pipelines.core.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a run's Flink tasks go, without starting a cluster (FlinkClusterIT starts real ones): the
 * master's precedence, the staged jar, the embedded escape hatch and the errors.
 */
class FlinkRunTargetTest {
  @TempDir Path dir;
  private final List<String> notes = new ArrayList<>();

  private FlinkSetup setup(Optional<String> master) {
    return new FlinkSetup(
        master,
        dir.resolve("no-lib"),
        Optional.of(Path.of("/opt/mlproof/mlproof-flink.jar")),
        FlinkSetup.LocalCluster.STANDARD,
        true,
        Optional.empty(),
        false,
        Optional.empty());
  }

  private static RunnerSpec flink(Map<String, String> options) {
    return new RunnerSpec(RunnerKind.FLINK, options, List.of("-Xmx1g"));
  }

  private RunnerSpec open(RunnerSpec runner, FlinkSetup setup) {
    try (FlinkRunTarget target =
        FlinkRunTarget.open(runner, setup, true, dir.resolve("cluster"), notes::add)) {
      assertThat(target.cluster()).isEmpty();
      return target.runner();
    }
  }

  @Test
  void theCommandLineMasterWinsOverTheDagsAndStagesTheBundledJar() {
    Map<String, String> dagOptions = new java.util.LinkedHashMap<>();
    dagOptions.put("parallelism", "2");
    dagOptions.put("flinkMaster", "dag-host:8081");
    RunnerSpec runner = open(flink(dagOptions), setup(Optional.of("127.0.0.1:40123")));
    assertThat(runner.arguments())
        .containsExactly(
            "--runner=FlinkRunner",
            "--parallelism=2",
            "--flinkMaster=127.0.0.1:40123",
            "--filesToStage=/opt/mlproof/mlproof-flink.jar");
    // A client that only plans and submits: one JIT tier and the serial collector, then the run's.
    assertThat(runner.jvmOptions())
        .containsExactly("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx1g");
    assertThat(notes).isEmpty();
  }

  @Test
  void aRunsOwnJitOrCollectorOptionsWinOverTheClients() {
    assertThat(FlinkRunTarget.clientJvmOptions(List.of("-XX:+UseG1GC", "-Xmx2g")))
        .containsExactly("-XX:TieredStopAtLevel=1", "-XX:+UseG1GC", "-Xmx2g");
    assertThat(FlinkRunTarget.clientJvmOptions(List.of("-XX:-TieredCompilation")))
        .containsExactly("-XX:+UseSerialGC", "-XX:-TieredCompilation");
    assertThat(FlinkRunTarget.clientJvmOptions(List.of("-XX:TieredStopAtLevel=4")))
        .containsExactly("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=4");
  }

  @Test
  void theDagsMasterIsUsedWhenTheCommandLineHasNoneAndItsOwnFilesToStageAreKept() {
    RunnerSpec runner =
        open(
            flink(Map.of("flinkMaster", "jm.internal:8081", "filesToStage", "/x.jar")),
            setup(Optional.empty()));
    assertThat(runner.options())
        .containsOnly(
            Map.entry("flinkMaster", "jm.internal:8081"), Map.entry("filesToStage", "/x.jar"));
  }

  @Test
  void anEmbeddedMasterKeepsTheRunnerAsItIs() {
    RunnerSpec dag = flink(Map.of("flinkMaster", "[local]"));
    assertThat(open(dag, setup(Optional.empty()))).isEqualTo(dag);
  }

  @Test
  void otherRunnersPassThroughButRejectAFlinkMaster() {
    RunnerSpec direct =
        new RunnerSpec(RunnerKind.DIRECT, Map.of("targetParallelism", "2"), List.of());
    assertThat(open(direct, setup(Optional.empty()))).isEqualTo(direct);
    assertThatThrownBy(() -> open(direct, setup(Optional.of("127.0.0.1:8081"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--flink-master and --flink-cluster are for the flink runner, but this run uses direct: add --runner flink");
  }

  @Test
  void aMasterThatIsNotHostAndPortIsInvalidInput() {
    for (String bad : List.of("localhost", "host:", ":8081", "host:http", "host:70000")) {
      assertThatThrownBy(() -> open(flink(Map.of()), setup(Optional.of(bad))))
          .as(bad)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageStartingWith("Flink master '" + bad + "' is not host:port");
    }
  }

  @Test
  void noMasterAndNothingToRunStartsNoCluster() {
    try (FlinkRunTarget target =
        FlinkRunTarget.open(
            flink(Map.of("parallelism", "2")),
            setup(Optional.empty()),
            false,
            dir.resolve("cluster"),
            notes::add)) {
      assertThat(target.cluster()).isEmpty();
      assertThat(target.runner().options()).containsExactly(Map.entry("parallelism", "2"));
    }
    assertThat(dir.resolve("cluster")).doesNotExist();
  }

  @Test
  void noMasterWithoutTheClusterClassPathSaysHowToGetOne() {
    assertThatThrownBy(() -> open(flink(Map.of()), setup(Optional.empty())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(dir.resolve("no-lib") + ", which does not exist: run 'make build'");
    assertThat(Files.exists(dir.resolve("cluster"))).isFalse();
  }
}
