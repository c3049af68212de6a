package io.mlproof.orchestrator.dag;

import java.time.Duration;
import java.util.Optional;

/**
 * Airflow's retry and timeout arguments ({@code default_args}, overridable per task).
 *
 * @param retries tries after the first one
 * @param retryDelay wait before the first retry
 * @param exponentialBackoff double the wait after every failed try
 * @param maxRetryDelay cap on the wait, if any
 * @param executionTimeout limit on one try; the task's processes are killed when it passes
 */
public record RetryPolicy(
    int retries,
    Duration retryDelay,
    boolean exponentialBackoff,
    Optional<Duration> maxRetryDelay,
    Optional<Duration> executionTimeout) {

  /** Airflow's own defaults: no retries, 5 minutes between tries, no timeout. */
  public static final RetryPolicy AIRFLOW_DEFAULTS =
      new RetryPolicy(0, Duration.ofMinutes(5), false, Optional.empty(), Optional.empty());

  /** Tries in one budget: the first plus the retries. */
  public int maxTries() {
    return retries + 1;
  }

  /**
   * The wait after the {@code failedTry}-th try (1-based within its budget) failed: the retry
   * delay, doubled per earlier failure with exponential backoff (Airflow's formula without its
   * jitter, so runs are reproducible), capped by {@code maxRetryDelay}.
   */
  public Duration delayAfter(int failedTry) {
    Duration delay = retryDelay;
    if (exponentialBackoff) {
      int doublings = Math.min(Math.max(failedTry - 1, 0), 30);
      delay = retryDelay.multipliedBy(1L << doublings);
    }
    if (maxRetryDelay.isPresent() && delay.compareTo(maxRetryDelay.get()) > 0) {
      delay = maxRetryDelay.get();
    }
    return delay;
  }
}
