package io.mlproof.orchestrator.testing;

import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.run.DagRunner;
import io.mlproof.orchestrator.run.ProgressListener;
import io.mlproof.orchestrator.run.RunConf;
import io.mlproof.orchestrator.run.RunResult;
import io.mlproof.orchestrator.run.RunSettings;
import io.mlproof.orchestrator.state.RunType;
import io.mlproof.orchestrator.state.StateStore;
import io.mlproof.orchestrator.state.TaskInstance;
import io.mlproof.orchestrator.task.PipelineLauncher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A DAG folder, a run root, a SQLite state file and a runner that forks {@link TestPipelineMain}.
 */
public final class Harness implements AutoCloseable {
  public final Path root;
  public final DagFolder dags;
  public final StateStore store;
  public final RunSettings settings;

  /** Every state change, as "task state", in order. */
  public final List<String> changes = Collections.synchronizedList(new ArrayList<>());

  public final List<String> notes = Collections.synchronizedList(new ArrayList<>());

  public Harness(Path root) {
    this.root = root;
    this.dags = DagFolder.withDefaults(root.resolve("dags"));
    this.store = StateStore.open(root.resolve("state.sqlite"));
    this.settings =
        RunSettings.of(root.resolve("runs").toString())
            .withLauncher(testLauncher(TestPipelineMain.class.getName()));
  }

  /**
   * Forks with the client compiler only and a serial collector: test pipelines live for a second or
   * two, where C2 compilation and parallel GC threads cost more than they save (about a third of a
   * fork's CPU time here). Local outputs need no Beam file system registration either.
   */
  public static PipelineLauncher testLauncher(String mainClass) {
    PipelineLauncher same = PipelineLauncher.sameJvm(mainClass);
    List<String> jvm = new ArrayList<>(same.jvmOptions());
    jvm.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    return new PipelineLauncher(same.java(), same.classpath(), mainClass, jvm);
  }

  public ProgressListener listener() {
    return new ProgressListener() {
      @Override
      public void taskChanged(TaskInstance ti) {
        changes.add(ti.taskId() + " " + ti.state().label());
      }

      @Override
      public void note(String dagId, LocalDate date, String message) {
        notes.add(message);
      }
    };
  }

  public DagRunner runner(RunSettings with) {
    return new DagRunner(store, with, listener());
  }

  public DagRunner runner() {
    return runner(settings);
  }

  public Dag dag(String id, String yaml) {
    return dags.write(id + ".yaml", yaml).load(id);
  }

  public RunResult run(Dag dag, String date) {
    return runner().run(dag, LocalDate.parse(date), RunType.MANUAL, RunConf.resolve(dag, null));
  }

  public TaskInstance task(RunResult result, String taskId) {
    return result.tasks().stream().filter(t -> t.taskId().equals(taskId)).findFirst().orElseThrow();
  }

  public Path file(String name) {
    return root.resolve(name);
  }

  public List<String> lines(String name) {
    Path file = file(name);
    try {
      return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A named pipe under the root (created with mkfifo), for tasks that must block or meet. */
  public Path fifo(String name) {
    Path fifo = file(name);
    try {
      Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
      if (p.waitFor() != 0) {
        throw new IllegalStateException("mkfifo " + fifo + " failed");
      }
      return fifo;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    store.close();
  }
}
