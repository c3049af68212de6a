package io.mlproof.orchestrator.state;

import java.util.Locale;

/** A task instance's state, with Airflow's names. */
public enum TaskState {
  /** Not run yet in this run (new, cleared, or reset after a crash). */
  NONE,
  RUNNING,
  /** Failed a try and waits for its retry delay. */
  UP_FOR_RETRY,
  SUCCESS,
  FAILED,
  /** Not run because an upstream failed. */
  UPSTREAM_FAILED,
  /** Not run because its trigger rule said so, or a soft-failing sensor timed out. */
  SKIPPED;

  public boolean isFinished() {
    return this == SUCCESS || this == FAILED || this == UPSTREAM_FAILED || this == SKIPPED;
  }

  public boolean isFailure() {
    return this == FAILED || this == UPSTREAM_FAILED;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TaskState fromLabel(String label) {
    return valueOf(label.toUpperCase(Locale.ROOT));
  }
}
