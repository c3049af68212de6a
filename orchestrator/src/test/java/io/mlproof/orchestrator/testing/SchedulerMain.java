package io.mlproof.orchestrator.testing;

import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.run.DagRunner;
import io.mlproof.orchestrator.run.RunConf;
import io.mlproof.orchestrator.run.RunResult;
import io.mlproof.orchestrator.run.RunSettings;
import io.mlproof.orchestrator.run.TextProgress;
import io.mlproof.orchestrator.state.RunType;
import io.mlproof.orchestrator.state.StateStore;
import java.nio.file.Path;
import java.time.LocalDate;

/**
 * A scheduler in a JVM of its own, for the crash test to kill: {@code <dags folder> <dag id> <date>
 * <run root> <state file>}.
 */
public final class SchedulerMain {

  private SchedulerMain() {}

  public static void main(String[] args) {
    try (StateStore store = StateStore.open(Path.of(args[4]))) {
      Dag dag = DagFolder.loader().load(Path.of(args[0]), args[1]);
      RunSettings settings =
          RunSettings.of(args[3])
              .withLauncher(Harness.testLauncher(TestPipelineMain.class.getName()));
      RunResult result =
          new DagRunner(store, settings, new TextProgress(System.err))
              .run(dag, LocalDate.parse(args[2]), RunType.MANUAL, RunConf.resolve(dag, null));
      System.exit(result.succeeded() ? 0 : 1);
    }
  }
}
