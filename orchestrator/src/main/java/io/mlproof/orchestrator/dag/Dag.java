package io.mlproof.orchestrator.dag;

import io.mlproof.orchestrator.core.RunnerKind;
import io.mlproof.orchestrator.core.RunnerSpec;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated DAG: acyclic, every upstream exists, every template and option checked. Tasks are
 * kept in a topological order (file order where dependencies allow).
 *
 * @param runners the runner the DAG uses and, for {@code --runner} overrides, the defaults of the
 *     others
 */
public record Dag(
    String dagId,
    String description,
    Schedule schedule,
    LocalDate startDate,
    boolean catchup,
    int maxActiveTasks,
    Map<String, ParamSpec> params,
    RunnerSpec runner,
    Map<RunnerKind, RunnerSpec> runners,
    List<TaskDef> tasks,
    Path file) {

  public Dag {
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    runners = Map.copyOf(runners);
    tasks = List.copyOf(tasks);
  }

  public Optional<TaskDef> task(String taskId) {
    return tasks.stream().filter(t -> t.id().equals(taskId)).findFirst();
  }

  /** Tasks that list {@code taskId} in their {@code depends_on}. */
  public List<TaskDef> downstreamOf(String taskId) {
    return tasks.stream().filter(t -> t.dependsOn().contains(taskId)).toList();
  }

  /** {@code taskId} and every task downstream of it, transitively, in topological order. */
  public List<String> withAllDownstream(String taskId) {
    List<String> ids = new ArrayList<>(List.of(taskId));
    for (TaskDef t : tasks) {
      if (t.dependsOn().stream().anyMatch(ids::contains) && !ids.contains(t.id())) {
        ids.add(t.id());
      }
    }
    return ids;
  }

  /** Tasks nothing depends on: their states decide the run's state, as in Airflow. */
  public List<TaskDef> leaves() {
    return tasks.stream().filter(t -> downstreamOf(t.id()).isEmpty()).toList();
  }

  /**
   * The tasks whose failure fails the run: the leaves, except that a task that only observes the
   * run (the report, usually last with {@code trigger_rule: all_done}) passes the decision on to
   * its upstream tasks; its own failure still counts.
   */
  public List<TaskDef> decidingTasks() {
    return tasks.stream()
        .filter(
            t ->
                t.spec().observesRun()
                    || downstreamOf(t.id()).stream().allMatch(d -> d.spec().observesRun()))
        .toList();
  }

  /** The runner to use, {@code override} (from {@code --runner}) taking precedence. */
  public RunnerSpec runnerFor(Optional<RunnerKind> override) {
    if (override.isEmpty() || override.get() == runner.kind()) {
      return runner;
    }
    return runners.get(override.get());
  }
}
