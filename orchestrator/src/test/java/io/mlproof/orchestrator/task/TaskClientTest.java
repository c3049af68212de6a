package io.mlproof.orchestrator.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.orchestrator.process.Processes;
import io.mlproof.orchestrator.testing.Harness;
import io.mlproof.orchestrator.testing.TestPipelineMain;
import io.mlproof.pipelines.core.ExitCodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm task client as a real JVM ({@link TestPipelineMain}'s {@code task-client}) running the
 * test pipelines as threads. A task at its gate (a FIFO) is known to be running when the test's
 * open of the FIFO for writing returns: that open waits for the task's open for reading.
 */
class TaskClientTest {

  @TempDir Path dir;
  private Harness harness;
  private TaskClient client;
  private final ExecutorService background = Executors.newCachedThreadPool();

  @BeforeEach
  void start() {
    harness = new Harness(dir);
    client =
        TaskClient.start(
            Harness.testLauncher(TestPipelineMain.class.getName()),
            List.of(),
            dir.resolve("client.log"));
  }

  @AfterEach
  void stop() {
    background.shutdownNow();
    client.close();
    harness.close();
  }

  @Test
  void runsConcurrentTasksEachWithItsOwnLogAndExitCode() throws Exception {
    Path gate = harness.fifo("gate");
    Future<ProcessSupervisor.Exit> gated = gated("a", gate);
    try (var writer = Files.newBufferedWriter(gate, StandardCharsets.UTF_8)) {
      // Task a is at its gate: task b runs beside it and fails as invalid input.
      ProcessSupervisor.Exit invalid = run(touchArgs("b", "--failWith=2"), log("b"));
      assertThat(invalid).isEqualTo(new ProcessSupervisor.Exit(ExitCodes.INVALID_INPUT, false));
      writer.write("go\n");
    }
    assertThat(gated.get()).isEqualTo(new ProcessSupervisor.Exit(ExitCodes.SUCCESS, false));
    assertThat(Files.exists(dir.resolve("out/a/manifest.json"))).isTrue();
    String header = "$ [task client pid " + client.process().pid() + "] run ";
    assertThat(Files.readAllLines(log("b")))
        .containsExactly(
            header + String.join(" ", touchArgs("b", "--failWith=2")).substring(4),
            "mlproof: --failWith=2 asks for invalid input");
    // Nothing of b's, nor anything else, reached a's log.
    assertThat(Files.readAllLines(log("a"))).hasSize(1).allMatch(l -> l.startsWith(header));
    assertThat(client.alive()).isTrue();
  }

  /**
   * What the JVM writes to standard output itself (here {@code -Xlog:gc}'s line at its start) is
   * not an answer: it goes to the client's log and the tasks still run. Before, the first such line
   * ended the reading of answers: a task sent after it failed with exit code 1, and one already
   * running was waited for forever (a DAG run with JFR on hung so).
   */
  @Test
  @Timeout(120)
  void linesTheJvmWritesToStandardOutputAreLoggedAndTheTasksStillRun() throws Exception {
    client.close();
    client =
        TaskClient.start(
            Harness.testLauncher(TestPipelineMain.class.getName()),
            List.of("-Xlog:gc"),
            dir.resolve("client.log"));
    assertThat(run(touchArgs("c"), log("c")))
        .isEqualTo(new ProcessSupervisor.Exit(ExitCodes.SUCCESS, false));
    assertThat(run(touchArgs("d"), log("d")))
        .isEqualTo(new ProcessSupervisor.Exit(ExitCodes.SUCCESS, false));
    assertThat(Files.readAllLines(dir.resolve("client.log")))
        .anyMatch(
            l -> l.startsWith("(on the task client's standard output) [") && l.contains("[gc]"));
  }

  @Test
  void aTaskPastItsDeadlineIsCancelledAndTheClientRunsTheNextOne() throws Exception {
    Path gate = harness.fifo("gate");
    List<String> abandoned = new java.util.concurrent.CopyOnWriteArrayList<>();
    ProcessSupervisor.Exit late =
        client.run(
            gateArgs("a", gate),
            log("a"),
            dir.resolve("a.progress.json"),
            Optional.of(Instant.now()),
            ProcessWatcher.NONE,
            () -> {
              abandoned.add("cancelled");
              // Stands for the Flink job's cancellation: it lets the waiting task end (failed).
              background.submit(() -> writeLine(gate, "cancelled"));
            });
    assertThat(late).isEqualTo(new ProcessSupervisor.Exit(ExitCodes.RUN_FAILED, true));
    assertThat(abandoned).containsExactly("cancelled");
    assertThat(Files.exists(dir.resolve("out/a/manifest.json"))).isFalse();
    assertThat(client.alive()).isTrue();
    assertThat(run(touchArgs("b"), log("b")))
        .isEqualTo(new ProcessSupervisor.Exit(ExitCodes.SUCCESS, false));
    assertThat(Files.exists(dir.resolve("out/b/manifest.json"))).isTrue();
  }

  @Test
  void whenTheClientDiesItsRunningTaskFailsNamingIt() throws Exception {
    Path gate = harness.fifo("gate");
    Future<ProcessSupervisor.Exit> gated = gated("a", gate);
    try (var writer = Files.newBufferedWriter(gate, StandardCharsets.UTF_8)) {
      Processes.killTree(client.process());
      assertThat(gated.get()).isEqualTo(new ProcessSupervisor.Exit(ExitCodes.RUN_FAILED, false));
    }
    assertThat(Processes.lastLine(log("a")))
        .isEqualTo(
            "mlproof: the task client (pid "
                + client.process().pid()
                + ") ended while the task ran, exit code 137; its log: "
                + dir.resolve("client.log"));
    assertThat(client.alive()).isFalse();
  }

  @Test
  void closeEndsTheClientJvm() {
    client.close();
    assertThat(client.alive()).isFalse();
    assertThat(client.process().isAlive()).isFalse();
  }

  private ProcessSupervisor.Exit run(List<String> args, Path log) throws InterruptedException {
    return client.run(
        args,
        log,
        dir.resolve(log.getFileName() + ".progress.json"),
        Optional.empty(),
        ProcessWatcher.NONE,
        () -> {});
  }

  /** Runs the gate pipeline as task {@code task} on another thread. */
  private Future<ProcessSupervisor.Exit> gated(String task, Path gate) {
    return background.submit(() -> run(gateArgs(task, gate), log(task)));
  }

  private Path log(String task) {
    return dir.resolve("logs").resolve(task + ".log");
  }

  private List<String> gateArgs(String task, Path gate) {
    return List.of(
        "run",
        "gate",
        "--output=" + dir.resolve("out").resolve(task),
        "--dagId=d",
        "--taskId=" + task,
        "--gate=" + gate,
        "--signal=" + dir.resolve(task + ".signal"));
  }

  private List<String> touchArgs(String task, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "run",
                "touch",
                "--output=" + dir.resolve("out").resolve(task),
                "--dagId=d",
                "--taskId=" + task));
    args.addAll(List.of(more));
    return args;
  }

  private static Void writeLine(Path fifo, String line) {
    try {
      Files.writeString(fifo, line + "\n", StandardCharsets.UTF_8);
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
