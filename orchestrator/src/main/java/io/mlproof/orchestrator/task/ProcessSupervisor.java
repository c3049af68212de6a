package io.mlproof.orchestrator.task;

import io.mlproof.orchestrator.state.ProcessIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
      Files.createDirectories(log.toAbsolutePath().getParent());
      Files.writeString(
          log,
          "$ " + String.join(" ", command) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
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
      killTree(handle);
      return new Exit(process.waitFor(), true);
    } catch (InterruptedException e) {
      killTree(handle);
      throw e;
    } finally {
      watcher.ended(handle);
    }
  }

  /**
   * Kills {@code process} and every process it started (listed before the kill, so none is missed
   * once re-parented), then waits up to 5 s for each to stop running. A killed process counts as
   * gone once it is a zombie ({@link ProcessIdentity#isRunning}): a parent that never waits, or a
   * PID 1 that reaps late, must not keep it "alive".
   */
  public static void killTree(ProcessHandle process) {
    List<ProcessHandle> tree = new ArrayList<>();
    tree.add(process);
    tree.addAll(process.descendants().toList());
    tree.forEach(ProcessHandle::destroyForcibly);
    Instant giveUp = Instant.now().plus(KILL_WAIT);
    for (ProcessHandle p : tree) {
      while (ProcessIdentity.isRunning(p) && Instant.now().isBefore(giveUp)) {
        try {
          // onExit completes when the process is reaped; a zombie is re-checked every 10 ms.
          p.onExit().get(10, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
          // still there: look again
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      // One still running after 5 s of SIGKILL is stuck in the kernel; nothing more to do.
    }
  }

  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  /** The last non-blank line of a log, for failure messages (the CLI prints its error last). */
  public static String lastLine(Path log) {
    try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(log.toFile(), "r")) {
      long from = Math.max(0, file.length() - 16_384);
      byte[] tail = new byte[(int) (file.length() - from)];
      file.seek(from);
      file.readFully(tail);
      List<String> lines = new String(tail, StandardCharsets.UTF_8).lines().toList();
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (!lines.get(i).isBlank()) {
          String line = lines.get(i).strip();
          return line.length() > 300 ? line.substring(0, 300) + "..." : line;
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // No log to quote: the caller's message stands alone.
    }
    return "";
  }
}
