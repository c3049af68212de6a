package io.mlproof.orchestrator.template;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The plain names a template may use, with Airflow's meanings. Dates render as YYYY-MM-DD. */
public enum Variable {
  /** The logical date. */
  DS,
  /** The logical date as YYYYMMDD. */
  DS_NODASH,
  /** The schedule's fire date before the logical date. */
  PREV_DS,
  /** The schedule's fire date after the logical date. */
  NEXT_DS,
  DATA_INTERVAL_START,
  DATA_INTERVAL_END,
  /** Where every task output of every run lives: {@code <run_root>/<dag_id>/<ds>/<task_id>}. */
  RUN_ROOT;

  public String templateName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Names that hold a YYYY-MM-DD date, valid as the first argument of {@code macros.ds_add}. */
  public boolean isDateString() {
    return this == DS
        || this == PREV_DS
        || this == NEXT_DS
        || this == DATA_INTERVAL_START
        || this == DATA_INTERVAL_END;
  }

  public static Optional<Variable> byName(String name) {
    return Arrays.stream(values()).filter(v -> v.templateName().equals(name)).findFirst();
  }
}
