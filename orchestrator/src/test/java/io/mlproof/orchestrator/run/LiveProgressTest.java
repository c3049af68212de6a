package io.mlproof.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.orchestrator.state.TaskInstance;
import io.mlproof.orchestrator.state.TaskState;
import io.mlproof.pipelines.core.StageProgress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The terminal's live progress: the status text, and when it is printed (times given, no sleeps).
 */
class LiveProgressTest {

  private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
  private static final LocalDate DS = LocalDate.parse("2024-06-03");

  @TempDir Path tmp;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private static StageProgress progress(StageProgress.State state, Map<String, Long> counters) {
    return new StageProgress(state, T0, T0, counters);
  }

  @Test
  void statusShowsEachTasksElapsedTimeAndItsTwoLargestCounters() {
    List<LiveProgress.Running> tasks =
        List.of(
            new LiveProgress.Running(
                "features",
                T0,
                Optional.of(
                    progress(
                        StageProgress.State.RUNNING,
                        Map.of(
                            "entity_days_read",
                            120_000L,
                            "examples",
                            3_000L,
                            "entity_days_dead_letter",
                            2L))),
                Optional.empty()),
            new LiveProgress.Running(
                "score", T0.plusSeconds(63), Optional.empty(), Optional.empty()));
    assertThat(LiveProgress.status(tasks, T0.plusSeconds(65)))
        .isEqualTo("features 1:05 entity_days_read 120,000 · examples 3,000 | score 0:02 starting");
  }

  @Test
  void statusNamesTheStateWhenTheCountersAloneDoNotTellIt() {
    Instant now = T0.plusSeconds(3_723);
    assertThat(
            LiveProgress.status(
                List.of(
                    new LiveProgress.Running(
                        "a",
                        T0,
                        Optional.of(progress(StageProgress.State.RUNNING, Map.of())),
                        Optional.empty())),
                now))
        .isEqualTo("a 1:02:03 running");
    assertThat(
            LiveProgress.status(
                List.of(
                    new LiveProgress.Running(
                        "a",
                        T0,
                        Optional.of(
                            progress(StageProgress.State.DONE, Map.of("rows", 5L, "bad", 5L))),
                        Optional.empty())),
                now))
        .isEqualTo("a 1:02:03 committing bad 5 · rows 5");
    assertThat(
            LiveProgress.status(
                List.of(
                    new LiveProgress.Running(
                        "a",
                        T0,
                        Optional.of(progress(StageProgress.State.FAILED, Map.of())),
                        Optional.empty())),
                now))
        .isEqualTo("a 1:02:03 failed");
    assertThat(
            LiveProgress.status(
                List.of(
                    new LiveProgress.Running(
                        "a", T0, Optional.empty(), Optional.of("unreadable progress file x"))),
                now))
        .isEqualTo("a 1:02:03 unreadable progress file x");
  }

  @Test
  void longLinesAreCutSoThatATerminalNeverWrapsThem() {
    assertThat(LiveProgress.cut("0123456789", 10)).isEqualTo("0123456789");
    assertThat(LiveProgress.cut("0123456789", 9)).isEqualTo("012345...");
  }

  private TaskInstance running(String taskId) {
    Path log = tmp.resolve(taskId + "/attempt=1.log");
    return TaskInstance.fresh("demo", DS, taskId, 1, "out").started(T0, log.toString());
  }

  private void writeProgress(TaskInstance ti, long elements) throws Exception {
    progress(StageProgress.State.RUNNING, Map.of("elements", elements))
        .writeTo(StageProgress.besideLog(Path.of(ti.logFile().orElseThrow())));
  }

  private List<String> progressLines() {
    return bytes
        .toString(StandardCharsets.UTF_8)
        .lines()
        .filter(l -> l.contains("progress:"))
        .toList();
  }

  @Test
  void plainProgressIsALineAtMostEveryFifteenSecondsWhileTasksRun() throws Exception {
    LiveProgress live =
        new LiveProgress(out, LiveProgress.Style.PLAIN, 100, Clock.fixed(T0, ZoneOffset.UTC));
    live.tick(T0.plusSeconds(20));
    assertThat(bytes.size()).as("nothing runs: nothing to say").isZero();
    TaskInstance work = running("work");
    live.taskChanged(work);
    live.tick(T0.plusSeconds(21));
    writeProgress(work, 42);
    live.tick(T0.plusSeconds(30));
    live.tick(T0.plusSeconds(36));
    writeProgress(work, 4_200);
    live.tick(T0.plusSeconds(50));
    live.taskChanged(work.finished(TaskState.SUCCESS, T0.plusSeconds(50), Optional.empty()));
    live.tick(T0.plusSeconds(90));
    assertThat(progressLines())
        .containsExactly(
            "12:00:21 progress: work 0:21 starting", "12:00:36 progress: work 0:36 elements 42");
  }

  /**
   * A terminal {@code width} wide with task {@code work} running, at 1,000,000 elements, output so
   * far dropped.
   */
  private LiveProgress terminalWithWorkRunning(int width) throws Exception {
    LiveProgress live =
        new LiveProgress(out, LiveProgress.Style.TERMINAL, width, Clock.fixed(T0, ZoneOffset.UTC));
    TaskInstance work = running("work");
    live.taskChanged(work);
    bytes.reset();
    writeProgress(work, 1_000_000);
    return live;
  }

  @Test
  void aTerminalGetsOneLineRedrawnInPlaceAndErasedBeforeEachStateChange() throws Exception {
    LiveProgress live = terminalWithWorkRunning(31);
    live.tick(T0.plusSeconds(1));
    live.tick(T0.plusSeconds(2));
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .isEqualTo("\r\033[Kwork 0:01 elements 1,000,000\r\033[Kwork 0:02 elements 1,000,000");
    bytes.reset();
    live.note("demo", DS, "a note");
    live.close();
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .isEqualTo("\r\033[K12:00:00 demo 2024-06-03 a note\n");
  }

  @Test
  void aTerminalLineLongerThanTheWidthIsCut() throws Exception {
    LiveProgress live = terminalWithWorkRunning(21);
    live.tick(T0.plus(Duration.ofSeconds(1)));
    assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("\r\033[Kwork 0:01 element...");
  }
}
