package io.mlproof.orchestrator.process;

import io.mlproof.orchestrator.state.ProcessIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Killing a process tree and quoting a process's log: what task processes and the Flink cluster's
 * processes share. A package of its own, below both {@code task} and {@code flink}.
 */
public final class Processes {

  private Processes() {}

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

  /** Appends {@code line} and a newline to {@code log}, creating it and its folders if need be. */
  public static void appendLine(Path log, String line) throws IOException {
    java.nio.file.Files.createDirectories(log.toAbsolutePath().getParent());
    java.nio.file.Files.writeString(
        log,
        line + "\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
  }

  /**
   * Appends {@code mlproof: <message>} to a task's log, or prints it on stderr when the log cannot
   * be written: the scheduler's word on a try is never lost.
   */
  public static void appendMessage(Path log, String message) {
    try {
      appendLine(log, "mlproof: " + message);
    } catch (IOException e) {
      System.err.println("mlproof: " + message);
    }
  }

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
