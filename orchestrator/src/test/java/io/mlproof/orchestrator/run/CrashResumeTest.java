package io.mlproof.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.state.DagRunState;
import io.mlproof.orchestrator.state.ProcessIdentity;
import io.mlproof.orchestrator.state.RunLockedException;
import io.mlproof.orchestrator.state.TaskInstance;
import io.mlproof.orchestrator.state.TaskState;
import io.mlproof.orchestrator.task.PipelineLauncher;
import io.mlproof.orchestrator.testing.Harness;
import io.mlproof.orchestrator.testing.HarnessTest;
import io.mlproof.orchestrator.testing.SchedulerMain;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.TaskOutput;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's JVM is killed while a pipeline task is half-way through its output; the next run
 * stops the orphaned task process, re-runs that task only, and never takes the half-written output
 * for a complete one.
 */
class CrashResumeTest extends HarnessTest {

  /** A safety net for blocking reads, so a broken run fails the test instead of hanging it. */
  private static final long GIVE_UP_SECONDS = 120;

  @AfterEach
  void stopThreads() {
    threads.shutdownNow();
  }

  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "fifo");
            t.setDaemon(true);
            return t;
          });

  @Test
  void resumesAfterTheSchedulerIsKilledMidTask() throws Exception {
    Path gate = h.fifo("gate");
    Path signal = h.fifo("signal");
    String trace = h.file("trace.txt").toString();
    Dag dag =
        h.dag(
            "crash",
            """
        dag_id: crash
        schedule: "0 0 * * 1"
        tasks:
          - id: a
            kind: bash
            command: echo a >> TRACE
          - id: b
            pipeline: gate
            depends_on: [a]
            options:
              gate: GATE
              signal: SIGNAL
          - id: c
            kind: bash
            depends_on: [b]
            command: echo c >> TRACE
        """
                .replace("TRACE", trace)
                .replace("GATE", gate.toString())
                .replace("SIGNAL", signal.toString()));
    LocalDate date = LocalDate.parse("2024-01-08");
    Path bOutput = h.root.resolve("runs/crash/2024-01-08/b");

    PipelineLauncher java = Harness.testLauncher(SchedulerMain.class.getName());
    List<String> command = new ArrayList<>(List.of(java.java().toString()));
    command.addAll(java.jvmOptions());
    command.addAll(
        List.of(
            "-cp",
            java.classpath(),
            java.mainClass(),
            h.dags.path().toString(),
            "crash",
            date.toString(),
            h.root.resolve("runs").toString(),
            h.store.file().toString()));
    Process scheduler =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(h.file("scheduler.log").toFile())
            .start();
    long orphanPid;
    try {
      // Blocks until task b has staged part of its output and opened the signal pipe.
      orphanPid =
          Long.parseLong(
              CompletableFuture.supplyAsync(() -> readLine(signal), threads)
                  .get(GIVE_UP_SECONDS, TimeUnit.SECONDS)
                  .replace("started ", ""));
      TaskInstance b = h.store.taskInstances("crash", date).get("b");
      assertThat(b.state()).isEqualTo(TaskState.RUNNING);
      assertThat(h.store.taskInstances("crash", date).get("a").state())
          .isEqualTo(TaskState.SUCCESS);
      // A second process may not run the same (dag, date) while the first is alive.
      assertThatThrownBy(() -> h.run(dag, "2024-01-08"))
          .isInstanceOf(RunLockedException.class)
          .hasMessageStartingWith("crash 2024-01-08 is being run by pid " + scheduler.pid());
      assertThat(h.store.taskInstances("crash", date).get("b").tryNumber()).isEqualTo(1);
    } finally {
      scheduler.destroyForcibly();
      scheduler.waitFor();
    }
    ProcessHandle orphan = ProcessHandle.of(orphanPid).orElseThrow();
    assertThat(ProcessIdentity.isRunning(orphan))
        .as("the task's JVM outlives the killed scheduler")
        .isTrue();
    // The half-written output: staged files but no manifest, so it does not count as complete.
    try (var files = Files.walk(bOutput)) {
      assertThat(files.filter(f -> f.getFileName().toString().equals("part-0.txt")).count())
          .isEqualTo(1);
    }
    assertThatThrownBy(() -> TaskOutput.read(bOutput.toString()))
        .isInstanceOf(InvalidInputException.class);
    assertThat(h.store.lockHolder("crash", date))
        .map(ProcessIdentity::pid)
        .contains(scheduler.pid());

    // Resume: the new b signals and waits at the gate like the first; this time the gate says go.
    // Each blocking pipe end on a thread of its own: opening a FIFO waits for the other end. The
    // gate opens only once the new try has signalled: the orphan, killed before that, must not
    // be the one that reads "go".
    CompletableFuture<String> started =
        CompletableFuture.supplyAsync(() -> readLine(signal), threads);
    CompletableFuture<Void> go = started.thenRunAsync(() -> writeLine(gate, "go"), threads);
    RunResult result = h.run(dag, "2024-01-08");
    started.get(GIVE_UP_SECONDS, TimeUnit.SECONDS);
    go.get(GIVE_UP_SECONDS, TimeUnit.SECONDS);

    assertThat(result.state()).isEqualTo(DagRunState.SUCCESS);
    assertThat(h.lines("trace.txt")).containsExactly("a", "c");
    assertThat(h.task(result, "a").tryNumber()).isEqualTo(1);
    assertThat(h.task(result, "b").tryNumber()).isEqualTo(2);
    assertThat(TaskOutput.read(bOutput.toString()).getTaskId()).isEqualTo("b");
    // Killed, and perhaps a zombie until PID 1 reaps it (late, in a container): gone either way.
    assertThat(ProcessIdentity.isRunning(orphan))
        .as("the orphaned task JVM was killed before b ran again")
        .isFalse();
    assertThat(h.notes)
        .contains(
            "took over the lock of pid " + scheduler.pid() + ", which is no longer running",
            "b was left running by a process that is gone (killed its leftover pid "
                + orphanPid
                + "): running it again");
    assertThat(h.store.lockHolder("crash", date)).isEmpty();
  }

  private static String readLine(Path fifo) {
    try (BufferedReader reader = Files.newBufferedReader(fifo, StandardCharsets.UTF_8)) {
      return reader.readLine();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void writeLine(Path fifo, String line) {
    try {
      Files.writeString(fifo, line + "\n", StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
