package io.mlproof.orchestrator.dag;

import io.mlproof.orchestrator.state.TaskState;
import java.util.Collection;
import java.util.Locale;

/**
 * When a task may run, given its upstream tasks' states (Airflow's trigger rules, same names and
 * semantics). Rules decide as early as they can: {@code all_success} marks a task {@code
 * upstream_failed} as soon as one upstream fails, {@code one_failed} runs as soon as one does.
 */
public enum TriggerRule {
  /**
   * Every upstream succeeded (the default). A failed upstream gives upstream_failed, a skipped one
   * skips.
   */
  ALL_SUCCESS,
  /** Every upstream finished, whatever its state: for cleanup and reports. */
  ALL_DONE,
  /**
   * At least one upstream failed (or is upstream_failed); skipped once all finished without a
   * failure.
   */
  ONE_FAILED,
  /** No upstream failed: skipped upstreams are fine (after a soft-failing sensor). */
  NONE_FAILED;

  /** What the scheduler does with a task that has not run yet. */
  public enum Decision {
    WAIT,
    RUN,
    SKIP,
    UPSTREAM_FAILED
  }

  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public Decision evaluate(Collection<TaskState> upstream) {
    boolean allDone = upstream.stream().allMatch(TaskState::isFinished);
    boolean anyFailed = upstream.stream().anyMatch(TaskState::isFailure);
    return switch (this) {
      case ALL_SUCCESS ->
          anyFailed
              ? Decision.UPSTREAM_FAILED
              : upstream.contains(TaskState.SKIPPED)
                  ? Decision.SKIP
                  : allDone ? Decision.RUN : Decision.WAIT;
      case ALL_DONE -> allDone ? Decision.RUN : Decision.WAIT;
      case ONE_FAILED -> anyFailed ? Decision.RUN : allDone ? Decision.SKIP : Decision.WAIT;
      case NONE_FAILED ->
          anyFailed ? Decision.UPSTREAM_FAILED : allDone ? Decision.RUN : Decision.WAIT;
    };
  }
}
