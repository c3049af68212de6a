package io.mlproof.orchestrator.core;

import java.time.LocalDate;

/**
 * The dates of one run, as Airflow's templates name them. The data interval of logical date {@code
 * ds} runs from {@code ds} to the schedule's next fire date; {@code prevDs} is the fire date before
 * {@code ds}.
 */
public record RunDates(LocalDate ds, LocalDate prevDs, LocalDate nextDs) {

  public LocalDate dataIntervalStart() {
    return ds;
  }

  public LocalDate dataIntervalEnd() {
    return nextDs;
  }
}
