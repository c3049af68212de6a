package io.mlproof.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shaded CLI jar run the way bin/mlproof runs it, in its own JVM, from the integration tests.
 */
final class MlproofCli {

  /** A finished command: exit code and what it printed. */
  record Result(int exitCode, String stdout, String stderr) {}

  /** A started command whose output goes to two files in the working folder. */
  record Started(Process process, Path out, Path err) {
    Result await() throws IOException, InterruptedException {
      if (!process.waitFor(20, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("mlproof did not finish in 20 minutes: " + Files.readString(err));
      }
      return new Result(
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    }

    /**
     * Sends SIGINT, as Ctrl-C does. A process started with SIGINT ignored (the test run launched
     * under nohup or in a background subshell, which the child inherits) would never see it and the
     * JVM installs no handler for it, so that is a clear failure here instead of a confusing one
     * later.
     */
    void interrupt() throws IOException, InterruptedException {
      long ignored = signalMask(process.pid(), "SigIgn:");
      if ((ignored & (1L << (SIGINT - 1))) != 0) {
        throw new AssertionError(
            "SIGINT is ignored in mlproof's process (inherited from the test run: started under"
                + " nohup or in a background subshell); run the tests from a normal shell");
      }
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
      if (kill.waitFor() != 0) {
        throw new AssertionError("kill -INT " + process.pid() + " exited " + kill.exitValue());
      }
    }
  }

  private static final int SIGINT = 2;

  /** A signal mask line of /proc/PID/status (hexadecimal, bit n-1 for signal n). */
  private static long signalMask(long pid, String field) throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
        .filter(l -> l.startsWith(field))
        .map(l -> Long.parseUnsignedLong(l.substring(field.length()).trim(), 16))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + field + " in /proc/" + pid + "/status"));
  }

  /**
   * DAG params (JSON object members) that bless a model whose F1 lead over the best baseline is
   * above 0 in point estimate: for tests whose subject is the run, not the verdict, on the small IT
   * warehouse, where the lead is within noise and the default bar (lower bound of its 95% interval
   * at least 0.02) rightly refuses it, which stops the DAG before scoring.
   */
  static final String ANY_LEAD_BAR = "\"bless_margin\": 0, \"bless_rule\": \"POINT_ESTIMATE\"";

  private MlproofCli() {}

  static Path repo() {
    return Path.of(System.getProperty("mlproof.repo", "..")).toAbsolutePath().normalize();
  }

  static Path jar() {
    return Path.of(
        System.getProperty("mlproof.jar", repo().resolve("target/mlproof.jar").toString()));
  }

  /** Starts {@code mlproof args...} with {@code workDir} as its working folder. */
  static Started start(Path workDir, String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "-jar",
                jar().toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(workDir, "out", ".txt");
    Path err = Files.createTempFile(workDir, "err", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    return new Started(builder.start(), out, err);
  }

  /**
   * {@code mlproof demo init --path warehouse options...} in {@code workDir}; fails the test if it
   * fails.
   */
  static Path demoWarehouse(Path workDir, Path warehouse, String... options)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("demo", "init", "--path", warehouse.toString()));
    args.addAll(List.of(options));
    Result init = run(workDir, args.toArray(String[]::new));
    if (init.exitCode() != 0) {
      throw new AssertionError(
          "mlproof demo init exited " + init.exitCode() + ": " + init.stderr());
    }
    return warehouse;
  }

  /** Runs {@code mlproof args...} to the end. */
  static Result run(Path workDir, String... args) throws IOException, InterruptedException {
    return start(workDir, args).await();
  }
}
