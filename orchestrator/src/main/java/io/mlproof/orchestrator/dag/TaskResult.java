package io.mlproof.orchestrator.dag;

/** How one try of a task ended, and why (for the task instance's message). */
public record TaskResult(Outcome outcome, String message) {

  public enum Outcome {
    SUCCESS,
    /** Failed; retried while tries remain. */
    FAILED,
    /** Failed in a way a retry will not fix (invalid input, exit code 2; a sensor timeout). */
    FAILED_NO_RETRY,
    SKIPPED
  }

  public static TaskResult success() {
    return new TaskResult(Outcome.SUCCESS, "");
  }

  public static TaskResult failed(String why) {
    return new TaskResult(Outcome.FAILED, why);
  }

  public static TaskResult failedNoRetry(String why) {
    return new TaskResult(Outcome.FAILED_NO_RETRY, why);
  }

  public static TaskResult skipped(String why) {
    return new TaskResult(Outcome.SKIPPED, why);
  }
}
