package io.mlproof.orchestrator.state;

import java.util.Locale;

/** A DAG run's state. {@code QUEUED}: created or cleared, not started since. */
public enum DagRunState {
  QUEUED,
  RUNNING,
  SUCCESS,
  FAILED;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static DagRunState fromLabel(String label) {
    return valueOf(label.toUpperCase(Locale.ROOT));
  }
}
