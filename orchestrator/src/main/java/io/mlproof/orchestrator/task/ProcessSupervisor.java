package io.mlproof.orchestrator.task;

import io.mlproof.orchestrator.process.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs a task's process with its output in the try's log file, a deadline, and tree kills. */
public final class ProcessSupervisor {

  /** How a process ended: its exit code, or killed at the deadline. */
  public record Exit(int code, boolean timedOut) {}

  private ProcessSupervisor() {}

  /**
   * Starts {@code command} with {@code env} added to this process's environment, stdout and stderr
   * appended to {@code log}, and waits for it. At the deadline, or when the waiting thread is
   * interrupted, the process and all its descendants are killed.
   */
  public static Exit run(
      List<String> command,
      Map<String, String> env,
      Path log,
      Optional<Instant> deadline,
      ProcessWatcher watcher)
      throws InterruptedException {
    Process process;
    try {
      Processes.appendLine(log, "$ " + String.join(" ", command));
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      builder.environment().putAll(env);
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
    ProcessHandle handle = process.toHandle();
    watcher.started(handle);
    try {
      if (deadline.isEmpty()) {
        return new Exit(process.waitFor(), false);
      }
      long remaining = Math.max(0, Duration.between(Instant.now(), deadline.get()).toMillis());
      if (process.waitFor(remaining, TimeUnit.MILLISECONDS)) {
        return new Exit(process.exitValue(), false);
      }
      Processes.killTree(handle);
      return new Exit(process.waitFor(), true);
    } catch (InterruptedException e) {
      Processes.killTree(handle);
      throw e;
    } finally {
      watcher.ended(handle);
    }
  }
}
