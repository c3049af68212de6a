package io.mlproof.orchestrator.dag;

import io.mlproof.orchestrator.core.Location;
import java.util.List;

/**
 * One task of a DAG: its id, what it runs (a kind and that kind's validated spec), its upstream
 * tasks, trigger rule and retry policy.
 */
public record TaskDef(
    String id,
    String kind,
    TaskSpec spec,
    List<String> dependsOn,
    TriggerRule triggerRule,
    RetryPolicy retryPolicy,
    String description,
    Location location) {

  public TaskDef {
    dependsOn = List.copyOf(dependsOn);
  }
}
