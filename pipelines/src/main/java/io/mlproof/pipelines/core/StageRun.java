package io.mlproof.pipelines.core;

import io.mlproof.proto.v1.Manifest;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.flink.util.SerializedThrowable;

/**
 * Runs a built pipeline to completion and commits its {@link TaskOutput}, or aborts it: the one
 * place that decides whether a stage's output becomes visible.
 */
public final class StageRun {

  private StageRun() {}

  /** Result of a finished pipeline: its final counters, summed over steps, by counter name. */
  public record Finished(PipelineResult result, Map<String, Long> counters) {}

  /**
   * Runs {@code pipeline}, waits for it and returns its counters. Wraps failures readably. When the
   * scheduler asks for progress ({@link StageProgress#ENV}), the counters so far go to that file
   * while it runs.
   */
  public static Finished run(Pipeline pipeline) {
    return run(pipeline, StageProgress.fileFromEnvironment());
  }

  /** {@link #run(Pipeline)} reporting progress to {@code progressFile}, if given. */
  public static Finished run(Pipeline pipeline, Optional<Path> progressFile) {
    if (progressFile.isPresent() && pipeline.getOptions().getRunner() == DirectRunner.class) {
      // The Direct runner's run() blocks until the end unless told not to; then its result answers
      // metrics() while it runs. On a Flink cluster the job's live record counts come from its
      // JobManager's REST API instead (FlinkJobProgress), and the job is waited for by
      // FlinkClusterWait, which learns of its end sooner than Flink's attached client.
      pipeline.getOptions().as(DirectOptions.class).setBlockOnRun(false);
    }
    Optional<FlinkJobProgress> onCluster = FlinkJobProgress.of(pipeline.getOptions());
    onCluster.ifPresent(job -> FlinkClusterWait.submitDetached(pipeline.getOptions()));
    PipelineResult result = null;
    try (ProgressReporter reporter = ProgressReporter.start(progressFile)) {
      try {
        onCluster.ifPresent(reporter::watch);
        result = pipeline.run();
        if (onCluster.isPresent()) {
          result = FlinkClusterWait.await(result);
        } else {
          reporter.watch(result);
        }
        PipelineResult.State state = result.waitUntilFinish();
        if (state != PipelineResult.State.DONE) {
          throw new RunFailedException("pipeline ended in state " + state);
        }
      } catch (RuntimeException e) {
        reporter.finish(
            StageProgress.State.FAILED, result == null ? Map.of() : attemptedOrNone(result));
        throw readable(e);
      }
      Finished finished = new Finished(result, counters(result));
      reporter.finish(StageProgress.State.DONE, finished.counters());
      return finished;
    }
  }

  private static RuntimeException readable(RuntimeException e) {
    if (e instanceof InvalidInputException || e instanceof RunFailedException) {
      return e;
    }
    RuntimeException user = UserErrors.find(e);
    return user != null ? user : new RunFailedException("pipeline failed: " + describe(e), e);
  }

  /**
   * {@code e}'s message and, in brackets, its deepest cause's class and first line: Beam's
   * "Pipeline execution failed" around a failed Flink job said nothing of what failed.
   */
  static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root == e) {
      return String.valueOf(e.getMessage());
    }
    // A cause the client could not deserialize stays wrapped; its message is the original's
    // toString(), class name included.
    String text = root instanceof SerializedThrowable ? root.getMessage() : root.toString();
    return e.getMessage() + " (" + text.strip().lines().findFirst().orElse("").strip() + ")";
  }

  private static Map<String, Long> attemptedOrNone(PipelineResult result) {
    try {
      return ProgressReporter.attempted(result);
    } catch (RuntimeException e) {
      return Map.of(); // the failure being reported matters more than its counters
    }
  }

  /**
   * Runs {@code pipeline}; on success {@code manifest} gets the counters and is committed to {@code
   * output}; on any failure the staged files are dropped and the error rethrown.
   */
  public static Manifest runAndCommit(
      Pipeline pipeline, TaskOutput output, Manifest.Builder manifest) {
    Finished finished;
    try {
      finished = run(pipeline);
    } catch (RuntimeException e) {
      output.abort();
      throw e;
    }
    return output.commit(manifest.putAllCounters(finished.counters()).build());
  }

  /**
   * The skeleton every {@link Stage} runs in: prepare (checks before any work), stage the output,
   * build and run the pipeline, write the manifest with the header all stages share, commit; on any
   * failure after the output was begun and before the commit, abort it and rethrow.
   */
  public static <O extends TaskOptions> Manifest execute(
      Stage<O> stage, O options, PrintStream out) {
    FileSystems.setDefaultPipelineOptions(options);
    Stage.Plan plan = stage.prepare(options);
    Pipeline pipeline = Pipeline.create(options);
    TaskOutput output =
        TaskOutput.begin(options.getOutput(), TaskOutput.Owner.of(stage.name(), options));
    Manifest committed;
    try {
      plan.expand(pipeline, output);
      Finished finished = run(pipeline);
      Manifest.Builder manifest = header(stage.name(), options).putAllCounters(finished.counters());
      plan.finish(finished, output, manifest, out);
      committed = output.commit(manifest.build());
    } catch (RuntimeException e) {
      output.abort();
      throw e;
    }
    plan.committed(committed);
    return committed;
  }

  /**
   * The manifest header every stage writes: which stage, task and date, and the runner that ran it.
   */
  public static Manifest.Builder header(String stage, TaskOptions options) {
    String logicalDate =
        options instanceof LogicalDateOptions dated && dated.getLogicalDate() != null
            ? dated.getLogicalDate()
            : "";
    return Manifest.newBuilder()
        .setPipeline(stage)
        .setDagId(options.getDagId())
        .setTaskId(options.getTaskId())
        .setLogicalDate(logicalDate)
        .setRunner(options.getRunner().getSimpleName());
  }

  /** Final (committed, else attempted) value of every counter, summed across steps. */
  public static Map<String, Long> counters(PipelineResult result) {
    Map<String, Long> byName = new TreeMap<>();
    MetricQueryResults metrics = result.metrics().queryMetrics(MetricsFilter.builder().build());
    for (MetricResult<Long> counter : metrics.getCounters()) {
      long value;
      try {
        value = counter.getCommitted();
      } catch (UnsupportedOperationException e) {
        // Flink reports attempted values only; for a finished batch job they are final.
        value = counter.getAttempted();
      }
      byName.merge(counter.getName().getName(), value, Long::sum);
    }
    return byName;
  }
}
