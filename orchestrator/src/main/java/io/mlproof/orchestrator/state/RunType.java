package io.mlproof.orchestrator.state;

import java.util.Locale;

/** Why a run exists: asked for by date, due by the schedule (with catchup), or a backfill. */
public enum RunType {
  MANUAL,
  SCHEDULED,
  BACKFILL;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
