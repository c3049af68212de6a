package io.mlproof.orchestrator.run;

import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.state.RunType;
import io.mlproof.orchestrator.state.TaskInstance;
import java.time.LocalDate;

/** Hears every state change of a run as it happens (the terminal's live progress). */
public interface ProgressListener {

  ProgressListener NONE = new ProgressListener() {};

  default void runStarted(
      Dag dag, LocalDate date, RunType type, int maxActiveTasks, String runner) {}

  /** A task instance changed state (running, success, up_for_retry, failed, skipped, ...). */
  default void taskChanged(TaskInstance instance) {}

  /** Something worth a line that is not a state change (a lock taken over, a task reset). */
  default void note(String dagId, LocalDate date, String message) {}

  default void runFinished(RunResult result) {}
}
