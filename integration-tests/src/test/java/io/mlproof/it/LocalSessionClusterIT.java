package io.mlproof.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlproof.orchestrator.flink.FlinkSessionCluster;
import io.mlproof.orchestrator.state.ProcessIdentity;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.proto.v1.OutputFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlproof dags run demo --runner flink} with no master: the scheduler starts a local session
 * cluster (real JobManager and TaskManager processes), every pipeline task runs on it, and the
 * cluster is gone afterwards, after success and after SIGINT. The demo DAG gives the same examples,
 * model bytes, blessing and scores as on the Direct runner.
 *
 * <p>The subject here is runner parity, not the verdict: the runs set the DAG's bless bar to {@link
 * MlproofCli#ANY_LEAD_BAR} so both reach the score task on this small warehouse, where the lead is
 * within noise (DemoDagIT shows the default bar refusing it).
 */
class LocalSessionClusterIT {
  private static final String DS = "2024-04-29";

  @TempDir static Path dir;
  static MlproofCli.Result direct;
  static MlproofCli.Result flink;

  @BeforeAll
  static void runTheDemoDagOnBothRunners() throws Exception {
    Path warehouse = dir.resolve("direct.duckdb");
    MlproofCli.demoWarehouse(dir, warehouse, "--users", "1000", "--days", "120");
    // Each run writes its scores table: one warehouse copy per runner.
    Files.copy(warehouse, dir.resolve("flink.duckdb"));
    Files.copy(warehouse, dir.resolve("sigint.duckdb"));
    direct = demo("direct").await();
    flink = demo("flink").await();
  }

  private static MlproofCli.Started demo(String runner) throws IOException {
    return MlproofCli.start(
        dir,
        "dags",
        "run",
        "demo",
        "--logical-date",
        DS,
        "--dags-folder",
        MlproofCli.repo().resolve("dags").toString(),
        "--run-root",
        dir.resolve("runs-" + runner).toString(),
        "--state",
        dir.resolve(runner + ".sqlite").toString(),
        "--runner",
        runner.equals("sigint") ? "flink" : runner,
        "--conf",
        "{\"warehouse\": \"duckdb:"
            + dir.resolve(runner + ".duckdb")
            + "\", "
            + MlproofCli.ANY_LEAD_BAR
            + "}");
  }

  private static Path clusterDir(String runner) {
    return dir.resolve("runs-" + runner + "/_logs/demo/" + DS + "/_flink");
  }

  @Test
  void everyTaskRanOnTheRunsOwnClusterWhichIsGoneAfterwards() throws Exception {
    assertThat(direct.exitCode()).as(direct.stderr()).isZero();
    assertThat(flink.exitCode()).as(flink.stderr()).isZero();
    assertThat(flink.stderr()).contains("started a local Flink session cluster at 127.0.0.1:");
    Path logs = dir.resolve("runs-flink/_logs/demo/" + DS);
    Path cluster = clusterDir("flink");
    // Every pipeline task ran as a thread of the run's one warm task client, whose JVM is the light
    // one of a client that only plans and submits; the bundled jar is on the cluster's class path,
    // so each task stages an empty jar instead of uploading it.
    Matcher started =
        Pattern.compile("started a warm task client \\(pid (\\d+)\\)").matcher(flink.stderr());
    assertThat(started.find()).as(flink.stderr()).isTrue();
    long clientPid = Long.parseLong(started.group(1));
    assertThat(firstLine(logs.resolve("_task-client.log")))
        .contains("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .endsWith(" io.mlproof.cli.Main task-client");
    for (String task :
        List.of(
            "extract_activity",
            "features",
            "score_features",
            "validate",
            "train",
            "bless",
            "score")) {
      assertThat(firstLine(logs.resolve(task + "/attempt=1.log")))
          .as(task)
          .startsWith("$ [task client pid " + clientPid + "] run ")
          .contains("--runner=FlinkRunner")
          .containsPattern(
              "--flinkMaster=127\\.0\\.0\\.1:\\d+ --filesToStage="
                  + Pattern.quote(
                      cluster
                          .resolve(FlinkSessionCluster.PLACEHOLDER_JAR)
                          .toAbsolutePath()
                          .toString())
                  + "( |$)");
    }
    // The client stopped with the run.
    assertThat(ProcessHandle.of(clientPid).filter(ProcessIdentity::isRunning)).isEmpty();
    // The run's TaskManager compiles with one JIT tier (short jobs on a new JVM), and maps no
    // class-data archive unless asked to.
    assertThat(firstLine(cluster.resolve("log/taskmanager-1.out")))
        .containsPattern("-cp \\S+/flink-lib/\\*:\\S+/mlproof-flink\\.jar ")
        .contains(" -XX:TieredStopAtLevel=1 ")
        .doesNotContain("SharedArchiveFile")
        .doesNotContain("ArchiveClassesAtExit");
    assertThat(cluster.resolve("log/jobmanager.log")).exists();
    assertThat(cluster.resolve("log/jobmanager.log"))
        .content()
        .contains("Job ")
        .contains("switched from state RUNNING to FINISHED");
    assertThat(cluster.resolve("tmp")).doesNotExist();
    assertThat(cluster.resolve(FlinkSessionCluster.STATE_FILE)).doesNotExist();
    assertThat(processesUsing(cluster)).isEmpty();
  }

  @Test
  void theDemoDagGivesTheSameExamplesModelAndScoresAsTheDirectRunner() throws Exception {
    assertThat(flink.exitCode()).as(flink.stderr()).isZero();
    assertThat(direct.exitCode()).as(direct.stderr()).isZero();
    for (String task : List.of("extract_activity", "features", "score_features")) {
      List<String> onDirect = records("direct", task);
      assertThat(onDirect).as(task).isNotEmpty();
      assertThat(records("flink", task)).as(task).containsExactlyElementsOf(onDirect);
    }
    // A job on a cluster is waited for detached (FlinkClusterWait): its counters, read from the
    // job's accumulators, are what the manifests record and what the checks after a job decide on.
    for (String task :
        List.of("extract_activity", "features", "score_features", "validate", "train", "score")) {
      Map<String, Long> onDirect = counters("direct", task);
      assertThat(onDirect).as(task).isNotEmpty();
      assertThat(counters("flink", task)).as(task).isEqualTo(onDirect);
    }
    assertThat(Files.readAllBytes(dir.resolve("runs-flink/demo/" + DS + "/train/model.txt")))
        .isEqualTo(Files.readAllBytes(dir.resolve("runs-direct/demo/" + DS + "/train/model.txt")));
    assertThat(blessing("flink")).isEqualTo(blessing("direct"));
    assertThat(Files.readAllLines(dir.resolve("runs-flink/demo/" + DS + "/score/scores.csv")))
        .isEqualTo(Files.readAllLines(dir.resolve("runs-direct/demo/" + DS + "/score/scores.csv")));
  }

  /**
   * SIGINT while a task runs on the run's cluster: the CLI's shutdown hook kills the task, then
   * stops the cluster; every recorded process is gone and its temporary folder removed.
   */
  @Test
  void sigintStopsTheRunsClusterToo() throws Exception {
    MlproofCli.Started run = demo("sigint");
    Path cluster = clusterDir("sigint");
    Path firstTaskLog =
        dir.resolve("runs-sigint/_logs/demo/" + DS + "/extract_activity/attempt=1.log");
    Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
    // The cluster is ready and recorded once the first task has started.
    while (!Files.exists(firstTaskLog)) {
      assertThat(run.process().isAlive())
          .as("the run ended before its first task started")
          .isTrue();
      assertThat(Instant.now()).as("first task started").isBefore(deadline);
      Thread.sleep(100);
    }
    List<ProcessHandle> recorded = recorded(cluster);
    assertThat(recorded).hasSize(2).allMatch(ProcessHandle::isAlive);
    run.interrupt();
    MlproofCli.Result result = run.await();
    assertThat(result.exitCode()).as(result.stderr()).isNotZero();
    assertThat(recorded).noneMatch(ProcessIdentity::isRunning);
    Matcher client =
        Pattern.compile("started a warm task client \\(pid (\\d+)\\)").matcher(result.stderr());
    assertThat(client.find()).as(result.stderr()).isTrue();
    assertThat(ProcessHandle.of(Long.parseLong(client.group(1))).filter(ProcessIdentity::isRunning))
        .isEmpty();
    assertThat(cluster.resolve("tmp")).doesNotExist();
    assertThat(cluster.resolve(FlinkSessionCluster.STATE_FILE)).doesNotExist();
    assertThat(processesUsing(cluster)).isEmpty();
  }

  /** The bless task's decision: the model's bytes, its verdict and the bar it was held to. */
  private static List<JsonNode> blessing(String runner) throws IOException {
    JsonNode blessing =
        new ObjectMapper()
            .readTree(
                dir.resolve("runs-" + runner + "/demo/" + DS + "/bless/blessing.json").toFile());
    assertThat(blessing.path("blessed").asBoolean()).as(runner + " blessing").isTrue();
    return Stream.of("modelSha256", "modelF1", "verdict", "margin", "blessRule")
        .map(blessing::path)
        .toList();
  }

  /**
   * The counters a task's manifest recorded, but for {@code partial_accumulators}: how many partial
   * combines ran depends on how the runner bundles the elements (2,933 on Direct, 880 on Flink).
   */
  private static Map<String, Long> counters(String runner, String task) {
    Map<String, Long> counters =
        new TreeMap<>(
            TaskOutput.read(dir.resolve("runs-" + runner + "/demo/" + DS + "/" + task).toString())
                .getCountersMap());
    counters.remove("partial_accumulators");
    return counters;
  }

  /** The records of a task's output as Base64 strings, sorted: equal lists mean equal multisets. */
  private static List<String> records(String runner, String task) {
    String output = dir.resolve("runs-" + runner + "/demo/" + DS + "/" + task).toString();
    List<String> records = new ArrayList<>();
    for (OutputFile file : TaskOutput.read(output).getFilesList()) {
      if (file.getName().equals("records") || file.getName().equals("examples")) {
        TfRecordFiles.read(
            output + "/" + file.getPath(),
            (bytes, length, f) ->
                records.add(Base64.getEncoder().encodeToString(Arrays.copyOf(bytes, length))));
      }
    }
    records.sort(String::compareTo);
    return records;
  }

  private static String firstLine(Path file) throws IOException {
    try (Stream<String> lines = Files.lines(file)) {
      return lines.findFirst().orElseThrow();
    }
  }

  private static List<ProcessHandle> recorded(Path cluster) throws IOException {
    Properties state = new Properties();
    try (InputStream in = Files.newInputStream(cluster.resolve(FlinkSessionCluster.STATE_FILE))) {
      state.load(in);
    }
    return state.stringPropertyNames().stream()
        .filter(k -> k.endsWith(".pid"))
        .map(k -> ProcessHandle.of(Long.parseLong(state.getProperty(k))).orElseThrow())
        .toList();
  }

  /** Live processes whose command line names the cluster's folder (its config is there). */
  private static List<Long> processesUsing(Path cluster) throws IOException {
    String needle = cluster.toAbsolutePath().toString();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs
          .filter(p -> p.getFileName().toString().matches("\\d+"))
          .filter(
              p -> {
                try {
                  return new String(Files.readAllBytes(p.resolve("cmdline"))).contains(needle)
                      && ProcessIdentity.isRunning(
                          ProcessHandle.of(Long.parseLong(p.getFileName().toString()))
                              .orElseThrow());
                } catch (IOException | RuntimeException e) {
                  return false;
                }
              })
          .map(p -> Long.parseLong(p.getFileName().toString()))
          .toList();
    }
  }
}
