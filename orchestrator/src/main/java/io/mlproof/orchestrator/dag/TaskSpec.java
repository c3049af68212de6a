package io.mlproof.orchestrator.dag;

import io.mlproof.orchestrator.airflow.AirflowContext;
import io.mlproof.orchestrator.airflow.AirflowOperator;
import io.mlproof.orchestrator.template.Template;
import java.util.List;

/** A task's validated, kind-specific configuration: what it runs and how it exports to Airflow. */
public interface TaskSpec {

  /** Every template of the task, checked against the DAG (params, task_output dependencies). */
  List<Template> templates();

  /** What the task would run, rendered for one run ({@code dags show}). */
  List<String> describe(TaskContext context);

  /**
   * Runs one try. Must honour {@link TaskContext#deadline()} (kill what it started and fail) and
   * interruption (kill what it started and rethrow).
   */
  TaskResult execute(TaskContext context) throws InterruptedException;

  /**
   * Whether a stored success can still be trusted: for tasks that commit a {@link
   * io.mlproof.pipelines.core.TaskOutput}, whether {@code manifest.json} is still there.
   */
  default boolean outputComplete(String outputDir) {
    return true;
  }

  /**
   * Makes a previous output look incomplete (removes its manifest) before a re-run, so nothing
   * reads a cleared or half-rewritten output as complete.
   */
  default void invalidateOutput(String outputDir) throws java.io.IOException {}

  /**
   * Whether the task only looks at the run (the report): it does not decide the run's state, so a
   * report written after a failure leaves the run failed.
   */
  default boolean observesRun() {
    return false;
  }

  /** The Airflow operator that does the same. */
  AirflowOperator toAirflow(AirflowContext context);
}
