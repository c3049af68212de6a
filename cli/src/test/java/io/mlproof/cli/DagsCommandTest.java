package io.mlproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlproof.pipelines.core.Pipelines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlproof dags ...} end to end through Main: exit codes, text and JSON output. */
class DagsCommandTest {

  @TempDir Path tmp;
  Path dags;

  /** What one command printed and returned. */
  record Result(int exitCode, String out, String err) {}

  @BeforeEach
  void setUp() throws Exception {
    dags = Files.createDirectories(tmp.resolve("dags"));
    Files.writeString(
        dags.resolve("defaults.yaml"),
        "start_date: 2024-01-01\ndefault_args:\n  retry_delay: 0s\n");
    Files.writeString(
        dags.resolve("hello.yaml"),
        """
        dag_id: hello
        description: says hello
        schedule: "0 0 * * 1"
        params:
          who: world
        tasks:
          - id: greet
            kind: bash
            command: echo hello {{ params.who }} {{ ds }} > $MLPROOF_OUTPUT/greeting.txt
          - id: check
            kind: bash
            depends_on: [greet]
            command: grep -q hello {{ task_output('greet') }}/greeting.txt
        """);
  }

  private Result mlproof(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (all.contains("--dags-folder")) {
      // The caller chose its own folder.
    } else if (args.length > 1 && args[0].equals("dags") && !args[1].equals("export-airflow")) {
      all.addAll(
          List.of(
              "--dags-folder",
              dags.toString(),
              "--run-root",
              tmp.resolve("runs").toString(),
              "--state",
              tmp.resolve("state.sqlite").toString()));
    } else if (args.length > 1 && args[1].equals("export-airflow")) {
      all.addAll(List.of("--dags-folder", dags.toString()));
    }
    Cli.Result result = Cli.run(all.toArray(String[]::new));
    return new Result(result.exitCode(), result.out(), result.err());
  }

  @Test
  void validateReportsEachErrorWithItsLocationAndExitsTwo() throws Exception {
    Result ok = mlproof("dags", "validate");
    assertThat(ok.exitCode()).isZero();
    assertThat(ok.out()).isEqualTo("ok      hello (2 tasks, 0 0 * * 1)\n");

    Files.writeString(
        dags.resolve("broken.yaml"),
        "dag_id: broken\nschedule: '@daily'\ntasks:\n  - id: a\n    kind: emty\n");
    Result bad = mlproof("dags", "validate");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err())
        .isEqualTo(
            dags.resolve("broken.yaml")
                + ":5:11: task 'a': unknown kind 'emty' (did you"
                + " mean 'empty'?): use one of bash, empty, file_sensor, pipeline, report, sql_sensor\n");
    assertThat(mlproof("dags", "validate", "hello").exitCode()).isZero();
  }

  @Test
  void validateTakesAFileOutsideTheFolderWithTheFolderDefaults() throws Exception {
    // No start_date of its own: it comes from the folder's defaults.yaml, as for the folder's DAGs.
    Path file = Files.createDirectories(tmp.resolve("elsewhere")).resolve("new_dag.yaml");
    Files.writeString(
        file, "dag_id: new_dag\nschedule: \"0 0 * * 1\"\ntasks:\n  - id: a\n    kind: empty\n");
    Result ok = mlproof("dags", "validate", file.toString(), "hello");
    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(ok.out())
        .isEqualTo("ok      new_dag (1 tasks, 0 0 * * 1)\nok      hello (2 tasks, 0 0 * * 1)\n");

    Files.writeString(
        file, "dag_id: new_dag\nschedule: \"0 0 * * 1\"\ntasks:\n  - id: a\n    kind: emty\n");
    Result bad = mlproof("dags", "validate", file.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err())
        .isEqualTo(
            file
                + ":5:11: task 'a': unknown kind 'emty' (did you"
                + " mean 'empty'?): use one of bash, empty, file_sensor, pipeline, report, sql_sensor\n");

    Result neither = mlproof("dags", "validate", "helo");
    assertThat(neither.exitCode()).isEqualTo(2);
    assertThat(neither.err())
        .isEqualTo(
            "mlproof: 'helo' is neither a DAG id of "
                + dags
                + " (DAGs there: hello)"
                + " nor a DAG file (a path is taken as given, relative to "
                + Path.of("").toAbsolutePath()
                + ")\n");
    assertThat(mlproof("dags", "validate", tmp.resolve("missing.yaml").toString()).exitCode())
        .isEqualTo(2);
  }

  @Test
  void everyProgressModeRunsAndKeepsTheStateChangeLines() {
    String[][] modes = {
      {"auto", "2024-01-08"},
      {"plain", "2024-01-15"},
      {"none", "2024-01-22"},
      {"PLAIN", "2024-01-29"}
    };
    for (String[] mode : modes) {
      Result run =
          mlproof("dags", "run", "hello", "--logical-date", mode[1], "--progress", mode[0]);
      assertThat(run.exitCode()).as(mode[0] + ": " + run.err()).isZero();
      assertThat(run.err()).as(mode[0]).contains("greet                  success");
      // A run shorter than 15 s, not on a terminal, gets no progress line, and nothing is redrawn.
      assertThat(run.err()).as(mode[0]).doesNotContain("progress:", "\r");
    }
  }

  @Test
  void anUnknownProgressModeIsOneLineAndExitCode2() {
    Result run =
        mlproof("dags", "run", "hello", "--logical-date", "2024-01-08", "--progress", "loud");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("'loud' is not auto, plain or none").hasLineCount(1);
  }

  @Test
  void runSucceedsThenIsANoOpAndPrintsJsonForMachines() throws Exception {
    Result first =
        mlproof(
            "dags", "run", "hello", "--logical-date", "2024-01-08", "--conf", "{\"who\": \"ml\"}");
    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out()).startsWith("hello 2024-01-08: success in ");
    assertThat(first.err()).contains("greet                  success");
    assertThat(Files.readString(tmp.resolve("runs/hello/2024-01-08/greet/greeting.txt")))
        .isEqualTo("hello ml 2024-01-08\n");

    Result again =
        mlproof(
            "dags",
            "run",
            "hello",
            "--logical-date",
            "2024-01-08",
            "--conf",
            "{\"who\": \"ml\"}",
            "--output",
            "json");
    assertThat(again.exitCode()).isZero();
    JsonNode json = new ObjectMapper().readTree(again.out());
    assertThat(json.get("state").asText()).isEqualTo("success");
    assertThat(json.get("already_done").asBoolean()).isTrue();
    assertThat(json.get("tasks").get(0).get("task_id").asText()).isEqualTo("greet");
    assertThat(json.get("tasks").get(0).get("output").asText())
        .isEqualTo(tmp.resolve("runs/hello/2024-01-08/greet").toString());

    Result status = mlproof("dags", "status", "hello", "--logical-date", "2024-01-08");
    assertThat(status.out()).startsWith("hello 2024-01-08: success (manual)\n");

    Result clear =
        mlproof("dags", "clear", "hello", "--logical-date", "2024-01-08", "--task", "check");
    assertThat(clear.out()).isEqualTo("cleared hello 2024-01-08: check\n");
    Result rerun =
        mlproof(
            "dags",
            "run",
            "hello",
            "--logical-date",
            "2024-01-08",
            "--conf",
            "{\"who\": \"ml\"}",
            "--output",
            "json");
    JsonNode tasks = new ObjectMapper().readTree(rerun.out()).get("tasks");
    assertThat(tasks.get(0).get("try_number").asInt()).isEqualTo(1);
    assertThat(tasks.get(1).get("try_number").asInt()).isEqualTo(2);
  }

  @Test
  void exitCodeOneForAFailedRunAndTwoForBadArguments() throws Exception {
    Files.writeString(
        dags.resolve("fails.yaml"),
        "dag_id: fails\nschedule: '@daily'\ntasks:\n  - id: a\n"
            + "    kind: bash\n    command: echo no such thing >&2; exit 4\n");
    Result failed = mlproof("dags", "run", "fails", "--logical-date", "2024-01-08");
    assertThat(failed.exitCode()).isEqualTo(1);
    assertThat(failed.out()).contains("exit code 4: no such thing");

    assertThat(mlproof("dags", "run", "hello", "--logical-date", "2024-13-01").exitCode())
        .isEqualTo(2);
    Result conf =
        mlproof("dags", "run", "hello", "--logical-date", "2024-01-08", "--conf", "{\"whom\": 1}");
    assertThat(conf.exitCode()).isEqualTo(2);
    assertThat(conf.err())
        .isEqualTo(
            "mlproof: --conf sets unknown param 'whom' (did you mean 'who'?): hello declares who\n");
    assertThat(mlproof("dags", "run", "nope", "--logical-date", "2024-01-08").exitCode())
        .isEqualTo(2);
    assertThat(mlproof("dags", "run", "hello", "--runner", "spark").exitCode()).isEqualTo(2);
  }

  /** {@code dags run hello} for 2024-01-08 with {@code options}. */
  private Result runHello(String... options) {
    List<String> args =
        new ArrayList<>(List.of("dags", "run", "hello", "--logical-date", "2024-01-08"));
    args.addAll(List.of(options));
    return mlproof(args.toArray(String[]::new));
  }

  @Test
  void aFlinkMasterNeedsTheFlinkRunnerAndAHostAndPort() {
    Result direct = runHello("--flink-master", "127.0.0.1:8081");
    assertThat(direct.exitCode()).isEqualTo(2);
    assertThat(direct.err().strip())
        .isEqualTo(
            "mlproof: --flink-master and --flink-cluster are for the flink runner, but this run uses direct: add --runner flink");
    Result bad = runHello("--runner", "flink", "--flink-master", "localhost");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("mlproof: Flink master 'localhost' is not host:port");
  }

  @Test
  void aFlinkClusterMustBeRecordedAndExcludesAMaster() {
    Path none = tmp.resolve("no-cluster");
    Result missing = runHello("--runner", "flink", "--flink-cluster", none.toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err().strip())
        .isEqualTo(
            "mlproof: --flink-cluster "
                + none
                + ": no cluster is recorded there (no cluster.properties): start one with mlproof"
                + " flink start --dir "
                + none
                + ", or give its master with --flink-master");
    Result both =
        runHello(
            "--runner",
            "flink",
            "--flink-cluster",
            none.toString(),
            "--flink-master",
            "127.0.0.1:8081");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err().strip())
        .isEqualTo(
            "mlproof: give --flink-master or --flink-cluster, not both: --flink-cluster "
                + none
                + " already names its master");
    assertThat(tmp.resolve("state.sqlite")).doesNotExist();
  }

  @Test
  void flinkStatusAndStopSayWhenNoClusterIsRecorded() {
    Result status = mlproof("flink", "status", "--dir", tmp.resolve("nothing").toString());
    assertThat(status.exitCode()).isEqualTo(1);
    assertThat(status.out().strip())
        .isEqualTo("no Flink cluster recorded in " + tmp.resolve("nothing"));
    Result stop = mlproof("flink", "stop", "--dir", tmp.resolve("nothing").toString());
    assertThat(stop.exitCode()).isZero();
    assertThat(stop.out().strip())
        .isEqualTo("no Flink process was running for " + tmp.resolve("nothing"));
  }

  @Test
  void flinkStartRefusesAJobJarThatDoesNotExistBeforeStartingAnything() {
    Path missing = tmp.resolve("no-such.jar");
    Result start =
        mlproof(
            "flink",
            "start",
            "--dir",
            tmp.resolve("cluster").toString(),
            "--job-jar",
            missing.toString());
    assertThat(start.exitCode()).isEqualTo(2);
    assertThat(start.err().strip())
        .isEqualTo(
            "mlproof: the jar to put on the Flink cluster's class path, "
                + missing
                + ", does not exist: run 'make build' or set MLPROOF_FLINK_JAR");
    assertThat(tmp.resolve("cluster")).doesNotExist();
  }

  @Test
  void exportAirflowWritesTheFile() throws Exception {
    Path out = tmp.resolve("airflow/hello.py");
    Result result = mlproof("dags", "export-airflow", "hello", "--out", out.toString());
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).isEqualTo("wrote " + out + " (2 tasks: greet, check)\n");
    assertThat(Files.readString(out)).contains("greet >> check").contains("dag_id=\"hello\"");
  }

  @Test
  void pipelineMainNeedsThePipelineName() {
    assertThat(PipelineMain.execute("--output=/tmp/x")).isEqualTo(2);
  }

  @Test
  void theShippedDagsValidate() {
    List<String> contract = List.of("extract", "features", "validate", "train", "bless", "score");
    assertThat(Pipelines.all().keySet()).containsAll(contract);
    Result result = mlproof("dags", "validate", "--dags-folder", Path.of("..", "dags").toString());
    assertThat(result.exitCode()).as(result.err()).isZero();
  }
}
