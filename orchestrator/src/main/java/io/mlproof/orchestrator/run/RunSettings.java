package io.mlproof.orchestrator.run;

import io.mlproof.orchestrator.core.RunnerKind;
import io.mlproof.orchestrator.flink.FlinkSetup;
import io.mlproof.orchestrator.task.PipelineLauncher;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * How runs execute, beyond what the DAG says.
 *
 * @param runRoot where task outputs go: {@code <runRoot>/<dag_id>/<ds>/<task_id>}
 * @param logRoot where task logs go: {@code <logRoot>/<dag_id>/<ds>/<task_id>/attempt=<n>.log}
 * @param maxActiveTasks overrides the DAG's {@code max_active_tasks}
 * @param runner overrides the DAG's runner ({@code --runner})
 * @param clock decides which scheduled runs are due
 * @param flink where Flink pipeline tasks go ({@code --flink-master}, or a local session cluster)
 */
public record RunSettings(
    String runRoot,
    Path logRoot,
    Optional<Integer> maxActiveTasks,
    Optional<RunnerKind> runner,
    PipelineLauncher launcher,
    Clock clock,
    FlinkSetup flink) {

  /**
   * Logs under {@code <runRoot>/_logs} (under {@code build/logs} when the run root is remote, such
   * as {@code gs://}: logs are written by this machine), the CLI's pipeline main, the system clock.
   */
  public static RunSettings of(String runRoot) {
    Path logs = runRoot.contains("://") ? Path.of("build", "logs") : Path.of(runRoot, "_logs");
    return new RunSettings(
        runRoot,
        logs,
        Optional.empty(),
        Optional.empty(),
        PipelineLauncher.sameJvm(PipelineLauncher.CLI_MAIN),
        Clock.systemUTC(),
        FlinkSetup.standard());
  }

  public RunSettings withLogRoot(Path value) {
    return new RunSettings(runRoot, value, maxActiveTasks, runner, launcher, clock, flink);
  }

  public RunSettings withMaxActiveTasks(Optional<Integer> value) {
    return new RunSettings(runRoot, logRoot, value, runner, launcher, clock, flink);
  }

  public RunSettings withRunner(Optional<RunnerKind> value) {
    return new RunSettings(runRoot, logRoot, maxActiveTasks, value, launcher, clock, flink);
  }

  public RunSettings withLauncher(PipelineLauncher value) {
    return new RunSettings(runRoot, logRoot, maxActiveTasks, runner, value, clock, flink);
  }

  public RunSettings withClock(Clock value) {
    return new RunSettings(runRoot, logRoot, maxActiveTasks, runner, launcher, value, flink);
  }

  public RunSettings withFlink(FlinkSetup value) {
    return new RunSettings(runRoot, logRoot, maxActiveTasks, runner, launcher, clock, value);
  }
}
