package io.mlproof.orchestrator.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlproof.orchestrator.state.DagRunState;
import io.mlproof.orchestrator.state.TaskInstance;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

/**
 * The final state of one DAG run.
 *
 * @param alreadyDone the run had succeeded before and nothing was cleared: nothing ran
 * @param runDir {@code <runRoot>/<dag_id>/<ds>}, where its task outputs are
 */
public record RunResult(
    String dagId,
    LocalDate logicalDate,
    DagRunState state,
    boolean alreadyDone,
    Duration wallTime,
    String runDir,
    String logDir,
    List<TaskInstance> tasks) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public RunResult {
    tasks = List.copyOf(tasks);
  }

  public boolean succeeded() {
    return state == DagRunState.SUCCESS;
  }

  /** The run as a JSON object, for {@code --output json}. */
  public ObjectNode toJson() {
    ObjectNode run = JSON.createObjectNode();
    run.put("dag_id", dagId);
    run.put("logical_date", logicalDate.toString());
    run.put("state", state.label());
    run.put("already_done", alreadyDone);
    run.put("duration_s", wallTime.toMillis() / 1000.0);
    run.put("run_dir", runDir);
    run.put("log_dir", logDir);
    ArrayNode list = run.putArray("tasks");
    for (TaskInstance ti : tasks) {
      ObjectNode t = list.addObject();
      t.put("task_id", ti.taskId());
      t.put("state", ti.state().label());
      t.put("try_number", ti.tryNumber());
      t.put("max_tries", ti.maxTries());
      ti.start().ifPresentOrElse(s -> t.put("start", s.toString()), () -> t.putNull("start"));
      ti.end().ifPresentOrElse(e -> t.put("end", e.toString()), () -> t.putNull("end"));
      ti.duration()
          .ifPresentOrElse(
              d -> t.put("duration_s", d.toMillis() / 1000.0), () -> t.putNull("duration_s"));
      t.put("output", ti.output());
      ti.logFile().ifPresentOrElse(l -> t.put("log_file", l), () -> t.putNull("log_file"));
      ti.message().ifPresentOrElse(m -> t.put("message", m), () -> t.putNull("message"));
    }
    return run;
  }
}
