package io.mlproof.pipelines.core;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * Writes a running pipeline's {@link StageProgress} to its progress file: once when it starts,
 * every {@link #PERIOD} from its {@link PipelineResult#metrics()} on a daemon thread, and a last
 * time with its final state. The progress is for people watching; a file that cannot be written
 * stops the reporting with one line on stderr (the task's log) and never fails the pipeline.
 */
final class ProgressReporter implements AutoCloseable {

  static final Duration PERIOD = Duration.ofSeconds(1);

  private final Optional<Path> file;
  private final Clock clock;
  private final Instant started;
  private final ScheduledExecutorService timer;
  private volatile boolean broken;

  private ProgressReporter(Optional<Path> file, Clock clock) {
    this.file = file;
    this.clock = clock;
    this.started = clock.instant();
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "mlproof-progress");
              thread.setDaemon(true);
              return thread;
            });
    write(StageProgress.State.RUNNING, Map.of());
  }

  /**
   * Starts reporting to {@code file}: a {@code running} file with no counters yet. Without a file,
   * every method does nothing.
   */
  static ProgressReporter start(Optional<Path> file) {
    return new ProgressReporter(file, Clock.systemUTC());
  }

  /** From now on, polls {@code result}'s counters (attempted values: committed ones lag). */
  void watch(PipelineResult result) {
    poll(() -> Optional.of(attempted(result)));
  }

  /**
   * From now on, polls the record counts of {@code job} on its Flink cluster: the live figures of a
   * runner whose {@code run()} returns only at the end.
   */
  void watch(FlinkJobProgress job) {
    poll(job::poll);
  }

  /** Counters so far, or none yet to show. */
  @FunctionalInterface
  private interface Counters {
    Optional<Map<String, Long>> now() throws IOException, InterruptedException;
  }

  /** Writes {@code counters} every {@link #PERIOD} on the timer thread, until {@link #finish}. */
  private void poll(Counters counters) {
    if (file.isEmpty()) {
      return;
    }
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            counters.now().ifPresent(c -> write(StageProgress.State.RUNNING, c));
          } catch (IOException | RuntimeException e) {
            // A runner or JobManager that cannot answer mid-run: the next poll, or the final
            // write, says more.
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        },
        PERIOD.toMillis(),
        PERIOD.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Stops polling and writes the final state with {@code counters}. */
  void finish(StageProgress.State state, Map<String, Long> counters) {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    write(state, counters);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  private synchronized void write(StageProgress.State state, Map<String, Long> counters) {
    if (broken || file.isEmpty()) {
      return;
    }
    try {
      new StageProgress(state, started, clock.instant(), counters).writeTo(file.get());
    } catch (IOException | RuntimeException e) {
      broken = true;
      System.err.println(
          "mlproof: cannot write the progress file "
              + file.get()
              + " ("
              + e.getMessage()
              + "): the run goes on without live progress");
    }
  }

  /** Attempted value of every counter so far, summed across steps. */
  static Map<String, Long> attempted(PipelineResult result) {
    Map<String, Long> byName = new TreeMap<>();
    for (MetricResult<Long> counter :
        result.metrics().queryMetrics(MetricsFilter.builder().build()).getCounters()) {
      Long value = counter.getAttempted();
      if (value != null) {
        byName.merge(counter.getName().getName(), value, Long::sum);
      }
    }
    return byName;
  }
}
