package io.mlproof.orchestrator.load;

import io.mlproof.orchestrator.core.Location;
import io.mlproof.orchestrator.dag.ParamSpec;
import io.mlproof.orchestrator.dag.TaskDef;
import io.mlproof.orchestrator.template.Expression;
import io.mlproof.orchestrator.template.Template;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks across tasks: unique ids, upstreams that exist, no cycles, template references. */
final class DagChecks {

  /** A task and where each of its {@code depends_on} items is written. */
  record ParsedTask(TaskDef def, List<Location> dependsOnLocations) {}

  private DagChecks() {}

  /**
   * Reports problems; returns the tasks in topological order (file order where dependencies allow).
   */
  static List<TaskDef> check(
      List<ParsedTask> parsed, Map<String, ParamSpec> params, Problems problems) {
    Map<String, TaskDef> byId = new LinkedHashMap<>();
    for (ParsedTask p : parsed) {
      TaskDef first = byId.putIfAbsent(p.def().id(), p.def());
      if (first != null) {
        problems.add(
            p.def().location(),
            "duplicate task id '"
                + p.def().id()
                + "' (first at line "
                + first.location().line()
                + "): task ids must be unique");
      }
    }
    for (ParsedTask p : parsed) {
      List<String> upstream = p.def().dependsOn();
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < upstream.size(); i++) {
        String u = upstream.get(i);
        Location at = p.dependsOnLocations().get(i);
        if (!seen.add(u)) {
          problems.add(at, "task '" + p.def().id() + "' lists '" + u + "' twice in depends_on");
        } else if (u.equals(p.def().id())) {
          problems.add(
              at, "task '" + p.def().id() + "' depends on itself: remove it from its depends_on");
        } else if (!byId.containsKey(u)) {
          problems.add(
              at,
              "task '"
                  + p.def().id()
                  + "' depends on unknown task '"
                  + u
                  + "'"
                  + Suggest.didYouMean(u, byId.keySet())
                  + ": tasks are "
                  + String.join(", ", byId.keySet()));
        }
      }
      checkTemplates(p.def(), byId, params, problems);
    }
    if (!problems.isEmpty()) {
      return List.of();
    }
    return topologicalOrder(byId, problems);
  }

  private static void checkTemplates(
      TaskDef task, Map<String, TaskDef> byId, Map<String, ParamSpec> params, Problems problems) {
    String who = "task '" + task.id() + "': ";
    for (Template template : task.spec().templates()) {
      template
          .expressions()
          .forEach(
              e -> {
                Expression x = e.expression();
                if (x instanceof Expression.Param p && !params.containsKey(p.name())) {
                  problems.add(
                      e.location(),
                      who
                          + "unknown param '"
                          + p.name()
                          + "' in {{ params."
                          + p.name()
                          + " }}"
                          + Suggest.didYouMean(p.name(), params.keySet())
                          + ": "
                          + (params.isEmpty()
                              ? "the DAG declares no params (add them under params:)"
                              : "declared params are " + String.join(", ", params.keySet())));
                } else if (x instanceof Expression.TaskOutput t) {
                  if (!byId.containsKey(t.taskId())) {
                    problems.add(
                        e.location(),
                        who
                            + "task_output('"
                            + t.taskId()
                            + "') names an unknown task"
                            + Suggest.didYouMean(t.taskId(), byId.keySet())
                            + ": tasks are "
                            + String.join(", ", byId.keySet()));
                  } else if (t.taskId().equals(task.id())) {
                    problems.add(
                        e.location(),
                        who
                            + "task_output('"
                            + t.taskId()
                            + "') is the task's own output: the"
                            + " scheduler passes it as --output (use prev_task_output for the previous run's)");
                  } else if (!task.dependsOn().contains(t.taskId())) {
                    problems.add(
                        e.location(),
                        who
                            + "uses task_output('"
                            + t.taskId()
                            + "') but does not depend on it:"
                            + " add '"
                            + t.taskId()
                            + "' to its depends_on");
                  }
                } else if (x instanceof Expression.PrevTaskOutput t
                    && !byId.containsKey(t.taskId())) {
                  problems.add(
                      e.location(),
                      who
                          + "prev_task_output('"
                          + t.taskId()
                          + "') names an unknown task"
                          + Suggest.didYouMean(t.taskId(), byId.keySet())
                          + ": tasks are "
                          + String.join(", ", byId.keySet()));
                }
              });
    }
  }

  /** Kahn's algorithm, taking ready tasks in file order; a cycle is reported with its path. */
  private static List<TaskDef> topologicalOrder(Map<String, TaskDef> byId, Problems problems) {
    Map<String, Integer> waiting = new HashMap<>();
    byId.values().forEach(t -> waiting.put(t.id(), t.dependsOn().size()));
    List<TaskDef> order = new ArrayList<>();
    Set<String> done = new HashSet<>();
    boolean progressed = true;
    while (progressed) {
      progressed = false;
      for (TaskDef t : byId.values()) {
        if (!done.contains(t.id()) && done.containsAll(t.dependsOn())) {
          order.add(t);
          done.add(t.id());
          progressed = true;
        }
      }
    }
    if (order.size() < byId.size()) {
      List<String> cycle = findCycle(byId, done);
      TaskDef first = byId.get(cycle.get(0));
      problems.add(
          first.location(),
          "dependency cycle: "
              + String.join(" -> ", cycle)
              + ": remove one of these depends_on entries");
    }
    return order;
  }

  /** A cycle among the tasks not ordered, as task ids with the first repeated at the end. */
  private static List<String> findCycle(Map<String, TaskDef> byId, Set<String> ordered) {
    String start =
        byId.keySet().stream().filter(id -> !ordered.contains(id)).findFirst().orElseThrow();
    // Walk upstream through unordered tasks until a task repeats: that stretch is a cycle.
    Deque<String> path = new ArrayDeque<>();
    Map<String, Integer> index = new HashMap<>();
    String current = start;
    while (!index.containsKey(current)) {
      index.put(current, path.size());
      path.addLast(current);
      current =
          byId.get(current).dependsOn().stream()
              .filter(u -> !ordered.contains(u))
              .findFirst()
              .orElseThrow();
    }
    List<String> walk = new ArrayList<>(path).subList(index.get(current), path.size());
    // The walk goes upstream; reverse it to read in dependency order, a -> b meaning b depends on
    // a.
    List<String> cycle = new ArrayList<>(walk);
    java.util.Collections.reverse(cycle);
    // Start at the task that comes first in the file, so the message reads from the top.
    List<String> fileOrder = new ArrayList<>(byId.keySet());
    int first =
        cycle.indexOf(
            cycle.stream()
                .min(java.util.Comparator.comparingInt(fileOrder::indexOf))
                .orElseThrow());
    java.util.Collections.rotate(cycle, -first);
    cycle.add(cycle.get(0));
    return cycle;
  }
}
