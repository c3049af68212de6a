package io.mlproof.orchestrator.run;

import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.state.RunType;
import io.mlproof.orchestrator.state.TaskInstance;
import io.mlproof.orchestrator.state.TaskState;
import io.mlproof.pipelines.core.StageProgress;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The state-change lines of {@link TextProgress}, plus what the running pipelines are doing: the
 * Beam counters each pipeline process writes to its progress file ({@link StageProgress}, beside
 * the try's log), with each task's elapsed time. On a terminal it is one line redrawn in place
 * below the state changes; elsewhere (CI logs) a plain line at most every {@link #PLAIN_EVERY}.
 */
public final class LiveProgress implements ProgressListener, AutoCloseable {

  /** How the running tasks' progress is shown. */
  public enum Style {
    /** One status line redrawn in place (carriage return, erase to end of line). */
    TERMINAL,
    /** A plain line at most every {@link #PLAIN_EVERY}, so that logs stay readable. */
    PLAIN
  }

  /** The least time between two plain progress lines. */
  public static final Duration PLAIN_EVERY = Duration.ofSeconds(15);

  /** How often the progress files are read. */
  static final Duration POLL = Duration.ofSeconds(1);

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final String ERASE_LINE = "\r\033[K";

  /** A running task as the status line shows it. */
  record Running(
      String taskId, Instant start, Optional<StageProgress> progress, Optional<String> problem) {}

  private final PrintStream out;
  private final TextProgress lines;
  private final Style style;
  private final int width;
  private final Clock clock;
  private final Map<String, TaskInstance> running = new LinkedHashMap<>();
  private boolean statusShown;
  private Instant lastPlain;
  private ScheduledExecutorService poller;

  /**
   * @param width the terminal's columns: a longer status line is cut, so it never wraps (a wrapped
   *     line cannot be redrawn in place)
   */
  public LiveProgress(PrintStream out, Style style, int width, Clock clock) {
    this.out = out;
    this.lines = new TextProgress(out, clock);
    this.style = style;
    this.width = Math.max(20, width);
    this.clock = clock;
    this.lastPlain = clock.instant();
  }

  /** For {@code dags run}: the system clock, the width from {@code $COLUMNS} (else 100). */
  public static LiveProgress of(PrintStream out, Style style) {
    int width = 100;
    try {
      width = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100").strip());
    } catch (NumberFormatException e) {
      // not a number: keep 100
    }
    return new LiveProgress(out, style, width, Clock.system(ZoneId.systemDefault()));
  }

  /** Reads the progress files every {@link #POLL} on a daemon thread until {@link #close()}. */
  public synchronized LiveProgress start() {
    poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "mlproof-live-progress");
              thread.setDaemon(true);
              return thread;
            });
    poller.scheduleWithFixedDelay(
        () -> tick(clock.instant()), POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  @Override
  public synchronized void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
    eraseStatus();
  }

  /** Reads the running tasks' progress files and shows their progress, as {@link Style} allows. */
  public synchronized void tick(Instant now) {
    if (running.isEmpty()) {
      return;
    }
    List<Running> tasks = new ArrayList<>();
    for (TaskInstance ti : running.values()) {
      tasks.add(read(ti));
    }
    String status = status(tasks, now);
    if (style == Style.TERMINAL) {
      out.print(ERASE_LINE + cut(status, width - 1));
      out.flush();
      statusShown = true;
    } else if (!Duration.between(lastPlain, now).minus(PLAIN_EVERY).isNegative()) {
      out.println(LocalTime.ofInstant(now, clock.getZone()).format(TIME) + " progress: " + status);
      out.flush();
      lastPlain = now;
    }
  }

  private static Running read(TaskInstance ti) {
    Instant start = ti.start().orElse(Instant.EPOCH);
    if (ti.logFile().isEmpty()) {
      return new Running(ti.taskId(), start, Optional.empty(), Optional.empty());
    }
    Path file = StageProgress.besideLog(Path.of(ti.logFile().get()));
    try {
      return new Running(ti.taskId(), start, StageProgress.read(file), Optional.empty());
    } catch (IOException e) {
      return new Running(
          ti.taskId(), start, Optional.empty(), Optional.of("unreadable progress file " + file));
    }
  }

  /**
   * The status of the running tasks, {@code " | "} between them: each task's id, elapsed time and
   * its two largest counters (which counter counts the input differs by pipeline; the largest two
   * show how far it is without naming one), e.g. {@code features 1:05 entity_days_read 120,000 ·
   * examples 3,000 | score 0:02 starting}.
   */
  static String status(List<Running> tasks, Instant now) {
    return tasks.stream()
        .map(t -> t.taskId() + " " + elapsed(Duration.between(t.start(), now)) + " " + detail(t))
        .collect(Collectors.joining(" | "));
  }

  private static String detail(Running task) {
    if (task.problem().isPresent()) {
      return task.problem().get();
    }
    if (task.progress().isEmpty()) {
      return "starting";
    }
    StageProgress progress = task.progress().get();
    String counters =
        progress.counters().entrySet().stream()
            .sorted(
                Map.Entry.<String, Long>comparingByValue()
                    .reversed()
                    .thenComparing(Map.Entry.comparingByKey()))
            .limit(2)
            .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%,d", e.getValue()))
            .collect(Collectors.joining(" · "));
    String state =
        switch (progress.state()) {
          case RUNNING -> counters.isEmpty() ? "running" : "";
          case DONE -> "committing";
          case FAILED -> "failed";
        };
    return state.isEmpty() ? counters : counters.isEmpty() ? state : state + " " + counters;
  }

  /** {@code 0:07}, {@code 12:34}, {@code 1:02:03}. */
  static String elapsed(Duration d) {
    long s = Math.max(0, d.getSeconds());
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  static String cut(String text, int width) {
    return text.length() <= width ? text : text.substring(0, Math.max(0, width - 3)) + "...";
  }

  private void eraseStatus() {
    if (statusShown) {
      out.print(ERASE_LINE);
      out.flush();
      statusShown = false;
    }
  }

  private static String key(String dagId, LocalDate date, String taskId) {
    return dagId + " " + date + " " + taskId;
  }

  @Override
  public synchronized void runStarted(
      Dag dag, LocalDate date, RunType type, int maxActiveTasks, String runner) {
    eraseStatus();
    lines.runStarted(dag, date, type, maxActiveTasks, runner);
  }

  @Override
  public synchronized void taskChanged(TaskInstance ti) {
    eraseStatus();
    lines.taskChanged(ti);
    String key = key(ti.dagId(), ti.logicalDate(), ti.taskId());
    if (ti.state() == TaskState.RUNNING) {
      running.put(key, ti);
    } else {
      running.remove(key);
    }
  }

  @Override
  public synchronized void note(String dagId, LocalDate date, String message) {
    eraseStatus();
    lines.note(dagId, date, message);
  }

  @Override
  public synchronized void runFinished(RunResult result) {
    eraseStatus();
    lines.runFinished(result);
  }
}
