package io.mlproof.orchestrator.run;

import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.state.RunType;
import io.mlproof.orchestrator.state.TaskInstance;
import io.mlproof.orchestrator.state.TaskState;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One line per state change, no cursor tricks, so that it reads the same on a terminal and in a CI
 * log: {@code 12:00:05 demo 2024-06-03 features success try 1/2 4.1s}.
 */
public final class TextProgress implements ProgressListener {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  private final PrintStream out;
  private final Clock clock;

  public TextProgress(PrintStream out) {
    this(out, Clock.system(ZoneId.systemDefault()));
  }

  public TextProgress(PrintStream out, Clock clock) {
    this.out = out;
    this.clock = clock;
  }

  private synchronized void line(String dagId, LocalDate date, String text) {
    out.println(LocalTime.now(clock).format(TIME) + " " + dagId + " " + date + " " + text);
    out.flush();
  }

  @Override
  public void runStarted(Dag dag, LocalDate date, RunType type, int maxActiveTasks, String runner) {
    line(
        dag.dagId(),
        date,
        "started ("
            + type.label()
            + ", "
            + dag.tasks().size()
            + " tasks, up to "
            + maxActiveTasks
            + " at a time, "
            + runner
            + " runner)");
  }

  @Override
  public void taskChanged(TaskInstance ti) {
    StringBuilder text =
        new StringBuilder(String.format("%-22s %-15s", ti.taskId(), ti.state().label()));
    if (ti.tryNumber() > 0) {
      text.append(" try ").append(ti.tryNumber()).append('/').append(ti.maxTries());
    }
    if (ti.state() != TaskState.RUNNING) {
      ti.duration().ifPresent(d -> text.append("  ").append(seconds(d)));
    }
    ti.message().filter(m -> !m.isEmpty()).ifPresent(m -> text.append("  ").append(m));
    line(ti.dagId(), ti.logicalDate(), text.toString());
  }

  @Override
  public void note(String dagId, LocalDate date, String message) {
    line(dagId, date, message);
  }

  @Override
  public void runFinished(RunResult result) {
    line(
        result.dagId(),
        result.logicalDate(),
        result.alreadyDone()
            ? "already succeeded: nothing to run (clear it to run again)"
            : result.state().label() + " in " + seconds(result.wallTime()));
  }

  static String seconds(Duration d) {
    return String.format("%.1fs", d.toMillis() / 1000.0);
  }
}
