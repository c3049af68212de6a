package io.mlproof.pipelines.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The progress file a running pipeline writes for the scheduler's terminal. */
class StageProgressTest {

  @TempDir Path tmp;

  private static final StageProgress RUNNING =
      new StageProgress(
          StageProgress.State.RUNNING,
          Instant.parse("2026-01-01T12:00:00Z"),
          Instant.parse("2026-01-01T12:00:05.250Z"),
          Map.of("rows", 12_000L, "bad_rows", 3L));

  @Test
  void jsonIsOneSmallObjectWithSortedCounters() {
    assertThat(RUNNING.toJson())
        .isEqualTo(
            "{\"format\":1,\"state\":\"running\",\"started\":\"2026-01-01T12:00:00Z\","
                + "\"updated\":\"2026-01-01T12:00:05.250Z\",\"counters\":{\"bad_rows\":3,\"rows\":12000}}");
    assertThat(StageProgress.parse(RUNNING.toJson())).isEqualTo(RUNNING);
  }

  @Test
  void anotherFormatOrABadValueIsRejectedByName() {
    assertThatThrownBy(() -> StageProgress.parse("{\"format\":2}"))
        .hasMessage("not a progress file of format 1");
    assertThatThrownBy(
            () ->
                StageProgress.parse(
                    "{\"format\":1,\"state\":\"running\",\"started\":\"2026-01-01T12:00:00Z\","
                        + "\"updated\":\"2026-01-01T12:00:00Z\",\"counters\":{\"rows\":\"many\"}}"))
        .hasMessage("counter 'rows' is not a whole number");
    assertThatThrownBy(
            () ->
                StageProgress.parse(
                    "{\"format\":1,\"state\":\"running\",\"started\":\"noon\","
                        + "\"updated\":\"2026-01-01T12:00:00Z\",\"counters\":{}}"))
        .hasMessageStartingWith("started/updated is not an ISO-8601 instant");
    assertThatThrownBy(() -> StageProgress.parse("{")).hasMessageStartingWith("not JSON");
  }

  @Test
  void aThreadsOwnFileWinsForItAndTheThreadsItStartsUntilClosed() throws Exception {
    // Surefire sets no MLPROOF_PROGRESS_FILE: without a thread's own file there is none.
    assertThat(StageProgress.fileFromEnvironment()).isEmpty();
    Path own = tmp.resolve("task-a.progress.json");
    java.util.concurrent.atomic.AtomicReference<Optional<Path>> seenByChild =
        new java.util.concurrent.atomic.AtomicReference<>();
    try (StageProgress.Scope scope = StageProgress.forThread(own)) {
      assertThat(StageProgress.fileFromEnvironment()).contains(own);
      Thread child = new Thread(() -> seenByChild.set(StageProgress.fileFromEnvironment()));
      child.start();
      child.join();
    }
    assertThat(seenByChild.get()).contains(own);
    assertThat(StageProgress.fileFromEnvironment()).isEmpty();
  }

  @Test
  void theFileSitsBesideTheTrysLog() {
    assertThat(StageProgress.besideLog(Path.of("/logs/demo/2024-06-03/train/attempt=2.log")))
        .isEqualTo(Path.of("/logs/demo/2024-06-03/train/attempt=2.progress.json"));
  }

  @Test
  void writingReplacesTheFileWholeAndLeavesNoTemporaryFile() throws IOException {
    Path file = tmp.resolve("task/attempt=1.progress.json");
    assertThat(StageProgress.read(file)).isEmpty();
    RUNNING.writeTo(file);
    StageProgress done =
        new StageProgress(
            StageProgress.State.DONE,
            RUNNING.started(),
            Instant.parse("2026-01-01T12:01:00Z"),
            Map.of("rows", 12_345L));
    done.writeTo(file);
    assertThat(StageProgress.read(file)).contains(done);
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactly("attempt=1.progress.json");
    }
    Files.writeString(file, "{\"format\":7}");
    assertThatThrownBy(() -> StageProgress.read(file))
        .isInstanceOf(IOException.class)
        .hasMessage(file + ": not a progress file of format 1");
  }

  /** Counts every element it sees, as the stages' own counters do. */
  static final class CountFn extends DoFn<Integer, Integer> {
    private final Counter elements = Metrics.counter(StageProgressTest.class, "elements");
    private final Counter odd = Metrics.counter(StageProgressTest.class, "odd");

    @ProcessElement
    public void process(@Element Integer value, OutputReceiver<Integer> out) {
      elements.inc();
      if (value % 2 == 1) {
        odd.inc();
      }
      out.output(value);
    }
  }

  @Test
  void aRealDirectRunWritesItsFinalCountersWithStateDone() throws IOException {
    int size = 2_500;
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    List<Integer> input = IntStream.range(0, size).boxed().collect(Collectors.toList());
    pipeline.apply("Create", Create.of(input)).apply("Count", ParDo.of(new CountFn()));
    Path file = tmp.resolve("attempt=1.progress.json");

    StageRun.Finished finished = StageRun.run(pipeline, Optional.of(file));

    StageProgress progress = StageProgress.read(file).orElseThrow();
    assertThat(progress.state()).isEqualTo(StageProgress.State.DONE);
    // 2,500 elements of which 0..2499 has 1,250 odd ones.
    assertThat(progress.counters()).isEqualTo(Map.of("elements", 2_500L, "odd", 1_250L));
    assertThat(finished.counters()).isEqualTo(progress.counters());
    assertThat(progress.updated()).isAfterOrEqualTo(progress.started());
  }

  /** Reads the progress file from inside the running pipeline (same JVM on the Direct runner). */
  static final class SeeProgressFn extends DoFn<Integer, Integer> {
    private final Counter sawRunning = Metrics.counter(StageProgressTest.class, "saw_running");
    private final String file;

    SeeProgressFn(String file) {
      this.file = file;
    }

    @ProcessElement
    public void process(@Element Integer value) throws IOException {
      if (StageProgress.read(Path.of(file)).orElseThrow().state() == StageProgress.State.RUNNING) {
        sawRunning.inc();
      }
    }
  }

  @Test
  void whileThePipelineRunsTheFileSaysRunning() throws IOException {
    Path file = tmp.resolve("attempt=1.progress.json");
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline
        .apply("Create", Create.of(1, 2, 3))
        .apply("See", ParDo.of(new SeeProgressFn(file.toString())));

    assertThat(StageRun.run(pipeline, Optional.of(file)).counters())
        .isEqualTo(Map.of("saw_running", 3L));
    assertThat(StageProgress.read(file).orElseThrow().state()).isEqualTo(StageProgress.State.DONE);
  }

  /** Fails on one element. */
  static final class FailFn extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer value) {
      throw new IllegalStateException("element " + value + " is bad");
    }
  }

  @Test
  void aFailedRunLeavesStateFailed() throws IOException {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply("Create", Create.of(7)).apply("Fail", ParDo.of(new FailFn()));
    Path file = tmp.resolve("attempt=1.progress.json");

    assertThatThrownBy(() -> StageRun.run(pipeline, Optional.of(file)))
        .isInstanceOf(RunFailedException.class)
        .hasMessageContaining("element 7 is bad");

    assertThat(StageProgress.read(file).orElseThrow().state())
        .isEqualTo(StageProgress.State.FAILED);
  }

  @Test
  void withoutAFileNothingIsWritten() throws IOException {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply("Create", Create.of(1, 2, 3)).apply("Count", ParDo.of(new CountFn()));
    assertThat(StageRun.run(pipeline, Optional.empty()).counters()).containsEntry("elements", 3L);
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files).isEmpty();
    }
  }
}
