package io.mlproof.orchestrator.task.kinds;

import io.mlproof.orchestrator.airflow.AirflowContext;
import io.mlproof.orchestrator.airflow.AirflowOperator;
import io.mlproof.orchestrator.dag.TaskConfig;
import io.mlproof.orchestrator.dag.TaskContext;
import io.mlproof.orchestrator.dag.TaskKind;
import io.mlproof.orchestrator.dag.TaskResult;
import io.mlproof.orchestrator.dag.TaskSpec;
import io.mlproof.orchestrator.template.Template;
import java.util.List;
import java.util.Map;

/** {@code kind: empty}: does nothing (Airflow's EmptyOperator), to group or join branches. */
public final class EmptyTaskKind implements TaskKind {

  @Override
  public String name() {
    return "empty";
  }

  @Override
  public Map<String, String> keys() {
    return Map.of();
  }

  @Override
  public TaskSpec parse(TaskConfig config) {
    return new EmptyTask();
  }

  record EmptyTask() implements TaskSpec {

    @Override
    public List<Template> templates() {
      return List.of();
    }

    @Override
    public List<String> describe(TaskContext context) {
      return List.of("(no-op)");
    }

    @Override
    public TaskResult execute(TaskContext context) {
      return TaskResult.success();
    }

    @Override
    public AirflowOperator toAirflow(AirflowContext context) {
      return new AirflowOperator("airflow.operators.empty", "EmptyOperator", Map.of());
    }
  }
}
