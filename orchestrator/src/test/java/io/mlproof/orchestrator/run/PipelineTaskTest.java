package io.mlproof.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.orchestrator.core.RunnerKind;
import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.state.DagRunState;
import io.mlproof.orchestrator.state.RunType;
import io.mlproof.orchestrator.state.TaskInstance;
import io.mlproof.orchestrator.state.TaskState;
import io.mlproof.orchestrator.testing.HarnessTest;
import io.mlproof.pipelines.core.TaskOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Pipeline tasks in forked JVMs (test pipelines): arguments, outputs, exit codes. */
class PipelineTaskTest extends HarnessTest {

  @Test
  void passesDatesParamsOptionsAndTheUpstreamOutput() throws Exception {
    RunResult result = h.run(chain(), "2024-01-08");
    assertThat(result.state()).isEqualTo(DagRunState.SUCCESS);
    Path runDir = h.root.resolve("runs/chain/2024-01-08");
    assertThat(result.runDir()).isEqualTo(runDir.toString());
    String up = "ds=2024-01-08 interval=2024-01-08..2024-01-15 params={\"days\":28} count=1\n";
    assertThat(Files.readString(runDir.resolve("up/data.txt"))).isEqualTo(up);
    assertThat(Files.readString(runDir.resolve("down/data.txt")))
        .isEqualTo(
            "ds=2024-01-08 interval=2024-01-08..2024-01-15 params={\"days\":28} count=5\n" + up);
    assertThat(TaskOutput.read(runDir.resolve("down").toString()).getTaskId()).isEqualTo("down");
    assertThat(h.task(result, "down").output()).isEqualTo(runDir.resolve("down").toString());
  }

  /** {@code up}, then {@code down} reading up's output, with a param and an option. */
  private Dag chain() {
    return h.dag(
        "chain",
        """
        dag_id: chain
        schedule: "0 0 * * 1"
        params:
          days: 28
        tasks:
          - id: up
            pipeline: touch
          - id: down
            pipeline: touch
            depends_on: [up]
            options:
              input: "{{ task_output('up') }}"
              count: 5
        """);
  }

  @Test
  void runnerOverrideSwitchesThePipelinesRunnerAndItsOptions() throws Exception {
    Dag dag =
        h.dag(
            "flinky",
            """
        dag_id: flinky
        schedule: "0 0 * * 1"
        tasks:
          - id: only
            pipeline: touch
        """);
    RunResult result =
        h.runner(h.settings.withRunner(java.util.Optional.of(RunnerKind.FLINK)))
            .run(dag, java.time.LocalDate.parse("2024-01-08"), RunType.MANUAL, java.util.Map.of());
    // The forked pipeline parsed the Flink options strictly (Beam rejects unknown ones) and
    // committed.
    assertThat(result.state()).isEqualTo(DagRunState.SUCCESS);
    String command =
        Files.readAllLines(Path.of(h.task(result, "only").logFile().orElseThrow())).get(0);
    assertThat(command).endsWith(" --runner=FlinkRunner --parallelism=2 --flinkMaster=[local]");
  }

  /**
   * Tasks sent to a cluster ({@code --flink-master}) run as threads of the run's one warm task
   * client; {@code --fork-each-task} forks each. The touch pipeline only parses the Flink options
   * and writes files, so no cluster needs to answer at that address.
   */
  @Test
  void tasksForAClusterRunInTheRunsOneWarmClientUnlessEachIsForked() throws Exception {
    Dag dag = chain();
    RunSettings cluster =
        h.settings
            .withRunner(java.util.Optional.of(RunnerKind.FLINK))
            .withFlink(
                h.settings
                    .flink()
                    .withMaster(java.util.Optional.of("127.0.0.1:1"))
                    // Nothing to stage, whether or not this checkout has built the bundled jar.
                    .withClusterJar(java.util.Optional.empty()));
    RunResult warm =
        h.runner(cluster)
            .run(dag, java.time.LocalDate.parse("2024-01-08"), RunType.MANUAL, java.util.Map.of());
    assertThat(warm.state()).isEqualTo(DagRunState.SUCCESS);
    java.util.regex.Matcher started =
        java.util.regex.Pattern.compile("started a warm task client \\(pid (\\d+)\\)")
            .matcher(String.join("\n", h.notes));
    assertThat(started.find()).as(h.notes.toString()).isTrue();
    long pid = Long.parseLong(started.group(1));
    for (String task : java.util.List.of("up", "down")) {
      assertThat(Files.readAllLines(Path.of(h.task(warm, task).logFile().orElseThrow())).get(0))
          .startsWith("$ [task client pid " + pid + "] run touch --output=")
          .endsWith(
              " --runner=FlinkRunner --parallelism=2 --flinkMaster=127.0.0.1:1"
                  + " --jobName=mlproof-chain-2024-01-08-"
                  + task
                  + "-try1");
    }
    Path runDir = h.root.resolve("runs/chain/2024-01-08");
    // DagRunner.run takes the params its caller resolved: none here.
    String up = "ds=2024-01-08 interval=2024-01-08..2024-01-15 params={} count=1\n";
    assertThat(Files.readString(runDir.resolve("down/data.txt")))
        .isEqualTo(up.replace("count=1", "count=5") + up);
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();

    RunResult forked =
        h.runner(cluster.withFlink(cluster.flink().withTaskClient(false)))
            .run(dag, java.time.LocalDate.parse("2024-01-15"), RunType.MANUAL, java.util.Map.of());
    assertThat(forked.state()).isEqualTo(DagRunState.SUCCESS);
    assertThat(Files.readAllLines(Path.of(h.task(forked, "down").logFile().orElseThrow())).get(0))
        .startsWith("$ " + h.settings.launcher().java())
        .contains(" io.mlproof.orchestrator.testing.TestPipelineMain run touch --output=");
  }

  @Test
  void invalidInputIsNotRetriedButAFailedRunIs() {
    Dag dag =
        h.dag(
            "exits",
            """
        dag_id: exits
        schedule: "0 0 * * 1"
        max_active_tasks: 2
        default_args:
          retries: 1
        tasks:
          - id: invalid
            pipeline: touch
            options:
              failWith: 2
          - id: crashed
            pipeline: touch
            options:
              failWith: 1
        """);
    RunResult result = h.run(dag, "2024-01-08");
    TaskInstance invalid = h.task(result, "invalid");
    TaskInstance crashed = h.task(result, "crashed");
    assertThat(invalid.state()).isEqualTo(TaskState.FAILED);
    assertThat(invalid.tryNumber()).isEqualTo(1);
    assertThat(invalid.message())
        .contains(
            "invalid input (exit code 2, not retried): mlproof: --failWith=2 asks for invalid input");
    assertThat(crashed.state()).isEqualTo(TaskState.FAILED);
    assertThat(crashed.tryNumber()).isEqualTo(2);
    assertThat(crashed.message()).hasValueSatisfying(m -> assertThat(m).startsWith("exit code 1"));
  }

  @Test
  void aStoredSuccessWhoseOutputLostItsManifestRunsAgain() throws Exception {
    Dag dag =
        h.dag(
            "lost",
            """
        dag_id: lost
        schedule: "0 0 * * 1"
        tasks:
          - id: only
            pipeline: touch
        """);
    assertThat(h.run(dag, "2024-01-08").state()).isEqualTo(DagRunState.SUCCESS);
    Path output = h.root.resolve("runs/lost/2024-01-08/only");
    Files.delete(output.resolve(TaskOutput.MANIFEST));
    RunResult again = h.run(dag, "2024-01-08");
    assertThat(again.alreadyDone()).isFalse();
    assertThat(h.task(again, "only").tryNumber()).isEqualTo(2);
    assertThat(output.resolve(TaskOutput.MANIFEST)).exists();
    assertThat(h.notes)
        .contains(
            "only was stored as success but its output is incomplete (no manifest.json in "
                + output
                + "): running it again");
  }
}
