package io.mlproof.orchestrator.state;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/**
 * One task of one DAG run, as stored.
 *
 * @param tryNumber tries started so far, over every clear (like Airflow's, it never goes back)
 * @param maxTries the try number this instance may reach before it fails for good
 * @param message why it failed or was skipped, for humans
 */
public record TaskInstance(
    String dagId,
    LocalDate logicalDate,
    String taskId,
    TaskState state,
    int tryNumber,
    int maxTries,
    Optional<Instant> start,
    Optional<Instant> end,
    String output,
    Optional<String> logFile,
    Optional<String> message) {

  public static TaskInstance fresh(
      String dagId, LocalDate date, String taskId, int maxTries, String output) {
    return new TaskInstance(
        dagId,
        date,
        taskId,
        TaskState.NONE,
        0,
        maxTries,
        Optional.empty(),
        Optional.empty(),
        output,
        Optional.empty(),
        Optional.empty());
  }

  public Optional<Duration> duration() {
    return start.flatMap(s -> end.map(e -> Duration.between(s, e)));
  }

  /** Back to {@link TaskState#NONE} with a fresh budget of {@code tries} tries. */
  public TaskInstance reset(int tries) {
    return new TaskInstance(
        dagId,
        logicalDate,
        taskId,
        TaskState.NONE,
        tryNumber,
        tryNumber + tries,
        Optional.empty(),
        Optional.empty(),
        output,
        logFile,
        Optional.empty());
  }

  public TaskInstance started(Instant at, String log) {
    return new TaskInstance(
        dagId,
        logicalDate,
        taskId,
        TaskState.RUNNING,
        tryNumber + 1,
        maxTries,
        Optional.of(at),
        Optional.empty(),
        output,
        Optional.of(log),
        Optional.empty());
  }

  public TaskInstance finished(TaskState newState, Instant at, Optional<String> why) {
    return new TaskInstance(
        dagId,
        logicalDate,
        taskId,
        newState,
        tryNumber,
        maxTries,
        start,
        Optional.of(at),
        output,
        logFile,
        why);
  }

  /** For tasks that never ran (skipped, upstream_failed): no start, no try. */
  public TaskInstance decided(TaskState newState, Instant at, String why) {
    return new TaskInstance(
        dagId,
        logicalDate,
        taskId,
        newState,
        tryNumber,
        maxTries,
        Optional.empty(),
        Optional.of(at),
        output,
        logFile,
        Optional.of(why));
  }

  /** The try number within the current budget (1 for the first try after a reset). */
  public int tryInBudget(int budget) {
    return tryNumber - (maxTries - budget);
  }
}
