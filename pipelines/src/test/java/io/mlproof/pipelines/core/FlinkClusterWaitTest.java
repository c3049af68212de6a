package io.mlproof.pipelines.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Constructor;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.runners.flink.FlinkDetachedRunnerResult;
import org.apache.beam.runners.flink.metrics.FlinkMetricContainer;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.client.JobExecutionException;
import org.apache.flink.util.OptionalFailure;
import org.apache.flink.util.SerializedThrowable;
import org.junit.jupiter.api.Test;

/**
 * {@link FlinkClusterWait} against a scripted {@link JobClient} (the real one needs a cluster:
 * FlinkClusterIT and LocalSessionClusterIT run every stage through it), inside Beam 2.62's real
 * detached result.
 */
class FlinkClusterWaitTest {

  private static final JobID JOB = JobID.fromHexString("0123456789abcdef0123456789abcdef");

  @Test
  void asksForTheStatusUntilTheJobHasEndedThenReturnsItsCounters() {
    MetricsContainerStepMap steps = new MetricsContainerStepMap();
    steps.getContainer("Parse").getCounter(MetricName.named("mlproof", "records")).inc(7);
    steps.getContainer("Write").getCounter(MetricName.named("mlproof", "records")).inc(5);
    steps.getContainer("Write").getCounter(MetricName.named("mlproof", "dead_letters")).inc(2);
    ScriptedJob job =
        new ScriptedJob(
            List.of(JobStatus.INITIALIZING, JobStatus.RUNNING, JobStatus.RUNNING),
            CompletableFuture.completedFuture(
                new JobExecutionResult(
                    JOB,
                    1234,
                    Map.of(FlinkMetricContainer.ACCUMULATOR_NAME, OptionalFailure.of(steps)))));

    PipelineResult ended = FlinkClusterWait.await(detached(job));

    assertThat(job.statusAsks.get()).isEqualTo(4); // three unfinished answers, then FINISHED
    assertThat(ended.getState()).isEqualTo(PipelineResult.State.DONE);
    assertThat(StageRun.counters(ended)).isEqualTo(Map.of("dead_letters", 2L, "records", 12L));
    assertThat(job.cancelled).isFalse();
  }

  @Test
  void aFailedJobThrowsItsCauseAsAnAttachedRunWould() {
    InvalidInputException cause =
        new InvalidInputException("input x.tfrecord is corrupt: rerun the extract");
    ScriptedJob job =
        new ScriptedJob(
            List.of(JobStatus.RUNNING, JobStatus.RESTARTING, JobStatus.RUNNING),
            JobStatus.FAILED,
            CompletableFuture.failedFuture(
                new JobExecutionException(JOB, "Job execution failed.", cause)));

    assertThatThrownBy(() -> FlinkClusterWait.await(detached(job)))
        .hasMessage("Pipeline execution failed")
        .satisfies(e -> assertThat(UserErrors.find(e)).isSameAs(cause))
        .cause()
        .isInstanceOf(JobExecutionException.class);
    assertThat(job.statusAsks.get()).isEqualTo(4);
  }

  @Test
  void aFailedJobsOneLineErrorNamesItsDeepestCause() {
    SQLException sql =
        new SQLException("Invalid Input Error: deliberate failure in row 101\n\nLINE 1: SELECT");
    ScriptedJob job =
        new ScriptedJob(
            List.of(),
            JobStatus.FAILED,
            CompletableFuture.failedFuture(
                new JobExecutionException(
                    JOB, "Job execution failed.", new RuntimeException("read failed", sql))));

    assertThatThrownBy(() -> FlinkClusterWait.await(detached(job)))
        .satisfies(
            e ->
                assertThat(StageRun.describe(e))
                    .isEqualTo(
                        "Pipeline execution failed (java.sql.SQLException: Invalid Input Error:"
                            + " deliberate failure in row 101)"));
    // A cause the client could not deserialize keeps its original class name.
    assertThat(
            StageRun.describe(
                new RuntimeException(
                    "Pipeline execution failed",
                    new SerializedThrowable(new IllegalStateException("no slot")))))
        .isEqualTo("Pipeline execution failed (java.lang.IllegalStateException: no slot)");
    assertThat(StageRun.describe(new RuntimeException("alone"))).isEqualTo("alone");
  }

  @Test
  void aCancelledJobIsSaidToBeCancelled() {
    ScriptedJob job =
        new ScriptedJob(
            List.of(JobStatus.RUNNING, JobStatus.CANCELLING),
            JobStatus.CANCELED,
            CompletableFuture.failedFuture(new AssertionError("not asked for a cancelled job")));

    assertThatThrownBy(() -> FlinkClusterWait.await(detached(job)))
        .isInstanceOf(RunFailedException.class)
        .hasMessage("Flink job 0123456789abcdef0123456789abcdef was cancelled");
    assertThat(job.statusAsks.get()).isEqualTo(3);
  }

  @Test
  void aJobThatEndsWithoutBeamsMetricsIsAFailureNotZeroCounters() {
    ScriptedJob job =
        new ScriptedJob(
            List.of(), CompletableFuture.completedFuture(new JobExecutionResult(JOB, 1, Map.of())));

    assertThatThrownBy(() -> FlinkClusterWait.await(detached(job)))
        .isInstanceOf(RunFailedException.class)
        .hasMessage(
            "Flink job 0123456789abcdef0123456789abcdef ended without Beam's metrics accumulator"
                + " __metricscontainers; its counters are unknown, so nothing is committed (rerun"
                + " the task)");
  }

  @Test
  void anInterruptedWaitCancelsTheJobAndKeepsTheInterrupt() throws Exception {
    ScriptedJob job = new ScriptedJob(List.of(), new CompletableFuture<>());
    job.forever = JobStatus.RUNNING;
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    Thread waiter =
        new Thread(
            () -> {
              try {
                FlinkClusterWait.await(detached(job));
              } catch (RuntimeException e) {
                thrown.set(e);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
              }
            });
    waiter.start();
    job.asked.join(); // it is waiting
    waiter.interrupt();
    waiter.join();

    assertThat(thrown.get())
        .isInstanceOf(RunFailedException.class)
        .hasMessage(
            "interrupted while waiting for Flink job 0123456789abcdef0123456789abcdef; it was"
                + " cancelled");
    assertThat(stillInterrupted).isTrue();
    assertThat(job.cancelled).isTrue();
  }

  @Test
  void onlyBeamsDetachedResultHasAJobToWaitFor() {
    PipelineResult other = new FlinkClusterWait.Ended(null); // an ended job's result
    assertThatThrownBy(() -> FlinkClusterWait.await(other))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("expected Beam's detached Flink result, got ");
  }

  /** Beam's own detached result around {@code job}, as its Flink runner builds it. */
  private static PipelineResult detached(JobClient job) {
    try {
      Constructor<FlinkDetachedRunnerResult> constructor =
          FlinkDetachedRunnerResult.class.getDeclaredConstructor(JobClient.class, int.class);
      constructor.setAccessible(true);
      return constructor.newInstance(job, 5);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /** A job whose status answers come from a script, then stay at its end state. */
  private static final class ScriptedJob implements JobClient {
    final Deque<JobStatus> statuses;
    final JobStatus end;
    final CompletableFuture<JobExecutionResult> result;
    final AtomicInteger statusAsks = new AtomicInteger();
    final CompletableFuture<Void> asked = new CompletableFuture<>();
    volatile JobStatus forever;
    volatile boolean cancelled;

    ScriptedJob(List<JobStatus> before, CompletableFuture<JobExecutionResult> result) {
      this(before, JobStatus.FINISHED, result);
    }

    ScriptedJob(
        List<JobStatus> before, JobStatus end, CompletableFuture<JobExecutionResult> result) {
      this.statuses = new ArrayDeque<>(before);
      this.end = end;
      this.result = result;
    }

    @Override
    public JobID getJobID() {
      return JOB;
    }

    @Override
    public synchronized CompletableFuture<JobStatus> getJobStatus() {
      statusAsks.incrementAndGet();
      asked.complete(null);
      if (forever != null) {
        return CompletableFuture.completedFuture(forever);
      }
      return CompletableFuture.completedFuture(statuses.isEmpty() ? end : statuses.poll());
    }

    @Override
    public CompletableFuture<Void> cancel() {
      cancelled = true;
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<String> stopWithSavepoint(
        boolean advanceToEndOfEventTime, String dir, SavepointFormatType type) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<String> triggerSavepoint(String dir, SavepointFormatType type) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Map<String, Object>> getAccumulators() {
      throw new UnsupportedOperationException("the wait reads the job's result, not this");
    }

    @Override
    public CompletableFuture<JobExecutionResult> getJobExecutionResult() {
      return result;
    }
  }
}
