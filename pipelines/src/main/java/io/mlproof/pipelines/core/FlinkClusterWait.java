package io.mlproof.pipelines.core;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.runners.flink.FlinkDetachedRunnerResult;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.metrics.FlinkMetricContainer;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.util.ExceptionUtils;

/**
 * Waiting for a pipeline's job on a Flink cluster. Flink 1.19's client asks the JobManager for an
 * attached job's result with a back-off that reaches 2 s between asks ({@code RestClusterClient}'s
 * hard-coded {@code ExponentialWaitStrategy(10 ms, 2 s)}), so every stage of a DAG learnt that its
 * job had ended up to 2 s late, about 1 s on average, once per task. A stage on a cluster therefore
 * submits its job detached and asks for the job's status itself every {@link #POLL} ({@code GET
 * /jobs/<id>/status}, which the JobManager answers from the dispatcher, uncached); once the job has
 * ended, its result (accumulators or failure) comes back on the first ask.
 */
final class FlinkClusterWait {

  /** How often the job's status is asked for: a cheap call, for a job that runs for seconds. */
  static final Duration POLL = Duration.ofMillis(50);

  private FlinkClusterWait() {}

  /** Has {@code options} submit without waiting: {@link #await} waits instead. */
  static void submitDetached(PipelineOptions options) {
    options.as(FlinkPipelineOptions.class).setAttachedMode(false);
  }

  /**
   * Waits for the job {@code submitted} (Beam's detached result) runs and returns its final result,
   * as Flink's attached run would have: counters from the job's accumulators; a failed job throws
   * what an attached run throws (its cause, deserialized). An interrupted wait cancels the job.
   */
  static PipelineResult await(PipelineResult submitted) {
    JobClient job = jobClient(submitted);
    try {
      JobStatus status = job.getJobStatus().get();
      while (!status.isGloballyTerminalState()) {
        Thread.sleep(POLL.toMillis());
        status = job.getJobStatus().get();
      }
      if (status == JobStatus.CANCELED) {
        // Flink's answer would be a JobCancellationException; a cancel is not a crash.
        throw new RunFailedException("Flink job " + job.getJobID() + " was cancelled");
      }
      return new Ended(metrics(job.getJobExecutionResult().get()));
    } catch (InterruptedException e) {
      job.cancel();
      Thread.currentThread().interrupt();
      throw new RunFailedException(
          "interrupted while waiting for Flink job " + job.getJobID() + "; it was cancelled", e);
    } catch (ExecutionException e) {
      // Beam's attached run wraps what Flink's execute() throws, with the ExecutionException off.
      throw new RuntimeException(
          "Pipeline execution failed", ExceptionUtils.stripExecutionException(e));
    }
  }

  /**
   * The job's {@link JobClient}, which Beam 2.62's detached result keeps to itself (its {@code
   * waitUntilFinish} sleeps whole seconds between asks and its metrics turn a failed fetch into no
   * counters). Beam is pinned; {@code FlinkClusterWaitTest} fails if the field moves.
   */
  static JobClient jobClient(PipelineResult submitted) {
    if (!(submitted instanceof FlinkDetachedRunnerResult)) {
      throw new IllegalStateException(
          "expected Beam's detached Flink result, got " + submitted.getClass().getName());
    }
    try {
      Field field = FlinkDetachedRunnerResult.class.getDeclaredField("jobClient");
      field.setAccessible(true);
      return (JobClient) field.get(submitted);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "Beam's FlinkDetachedRunnerResult has no jobClient field: another Beam version than"
              + " 2.62.0 is on the class path",
          e);
    }
  }

  /** Beam's counters of an ended job, from the accumulator its Flink operators add them to. */
  private static MetricResults metrics(JobExecutionResult result) {
    Object steps = result.getAllAccumulatorResults().get(FlinkMetricContainer.ACCUMULATOR_NAME);
    if (!(steps instanceof MetricsContainerStepMap map)) {
      // An absent accumulator would read as zero counters: zero bad rows, zero examples.
      throw new RunFailedException(
          "Flink job "
              + result.getJobID()
              + " ended without Beam's metrics accumulator "
              + FlinkMetricContainer.ACCUMULATOR_NAME
              + "; its counters are unknown, so nothing is committed (rerun the task)");
    }
    return MetricsContainerStepMap.asAttemptedOnlyMetricResults(map);
  }

  /** A job that has ended successfully: what Beam's attached result would answer. */
  record Ended(MetricResults metrics) implements PipelineResult {
    @Override
    public State getState() {
      return State.DONE;
    }

    @Override
    public State cancel() {
      return State.DONE;
    }

    @Override
    public State waitUntilFinish(org.joda.time.Duration duration) {
      return State.DONE;
    }

    @Override
    public State waitUntilFinish() {
      return State.DONE;
    }
  }
}
