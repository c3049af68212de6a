package io.mlproof.orchestrator.task;

import io.mlproof.orchestrator.flink.FlinkSessionCluster;
import io.mlproof.orchestrator.process.Processes;
import io.mlproof.pipelines.core.RunFailedException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The task client of a cluster started by {@code mlproof flink start}: a JVM that outlives DAG runs
 * and runs the pipeline tasks of every run submitted to the cluster ({@code dags run
 * --flink-cluster}) as threads, so that a run's first task finds its classes loaded and compiled.
 * It is recorded in the cluster's folder with the cluster's processes, and stopped with them.
 *
 * <p>A run uses it only if it is this build's: it records a fingerprint of its class path (each
 * jar's path, size and modification time), and a run whose class path differs starts a client of
 * its own, as it does when the cluster's client is not running, saying why.
 */
public final class ClusterTaskClient {

  /** Where it writes its port and secret: under {@code tmp/}, which the cluster's stop removes. */
  static final Path ADDRESS = Path.of("tmp", "task-client.address");

  private static final String BUILD = FlinkSessionCluster.TASK_CLIENT + ".build";
  private static final Duration POLL = Duration.ofMillis(50);

  private ClusterTaskClient() {}

  /**
   * Starts the task client of the cluster recorded in {@code dir}, records it there, and returns
   * once it listens.
   *
   * @throws RunFailedException when it exits, or does not listen within {@code timeout}; it is
   *     stopped first
   */
  public static ProcessHandle start(
      Path dir, PipelineLauncher launcher, List<String> jvmOptions, Duration timeout) {
    Path home = dir.toAbsolutePath();
    Path address = home.resolve(ADDRESS);
    Path log = log(home);
    List<String> command =
        launcher.command(jvmOptions, List.of(TaskClient.COMMAND, "--listen", address.toString()));
    Process process;
    try {
      Files.deleteIfExists(address);
      Files.createDirectories(address.getParent());
      Files.createDirectories(log.getParent());
      Processes.appendLine(log, "$ " + String.join(" ", command));
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new RunFailedException(
          "cannot start the cluster's task client in " + home + ": " + e.getMessage(), e);
    }
    try {
      FlinkSessionCluster.recordProcess(
          home,
          FlinkSessionCluster.TASK_CLIENT,
          process.toHandle(),
          Map.of(BUILD, fingerprint(launcher.classpath())));
      awaitListening(process, address, log, Instant.now().plus(timeout));
      return process.toHandle();
    } catch (IOException | RuntimeException e) {
      Processes.killTree(process.toHandle());
      throw e instanceof RunFailedException r
          ? r
          : new RunFailedException(
              "cannot start the cluster's task client in " + home + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Processes.killTree(process.toHandle());
      Thread.currentThread().interrupt();
      throw new RunFailedException("interrupted while starting the cluster's task client", e);
    }
  }

  /** Polls for its address file: it appears, whole, once the client listens. */
  private static void awaitListening(Process process, Path address, Path log, Instant deadline)
      throws InterruptedException {
    while (!Files.exists(address)) {
      if (process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new RunFailedException(
            "the cluster's task client exited with code "
                + process.exitValue()
                + " before it listened: "
                + FlinkSessionCluster.rootCause(log)
                + " (its log: "
                + log
                + ")");
      }
      if (Instant.now().isAfter(deadline)) {
        throw new RunFailedException(
            "the cluster's task client did not listen in time; its log: " + log);
      }
    }
  }

  /**
   * Connects a run to the task client of the cluster recorded in {@code dir}, if it runs and is
   * this build's ({@code launcher}'s class path).
   *
   * @throws Unavailable saying why not, for the run to say before it starts its own client
   */
  public static TaskClient connect(Path dir, PipelineLauncher launcher) throws Unavailable {
    Path home = dir.toAbsolutePath();
    Optional<String> build = FlinkSessionCluster.recorded(home, BUILD);
    if (build.isEmpty()) {
      throw new Unavailable("the cluster was started without one (--no-task-client)");
    }
    Optional<ProcessHandle> process =
        FlinkSessionCluster.liveProcess(home, FlinkSessionCluster.TASK_CLIENT);
    if (process.isEmpty()) {
      throw new Unavailable("it is not running (its log: " + log(home) + ")");
    }
    if (!isThisBuild(build.get(), launcher)) {
      throw new Unavailable(
          "it runs another build of mlproof than this run's class path "
              + launcher.classpath()
              + " (restart the cluster to use it)");
    }
    try {
      return TaskClient.connect(
          process.get(), TaskClientAddress.read(home.resolve(ADDRESS)), log(home));
    } catch (IOException e) {
      throw new Unavailable("cannot connect to it: " + e.getMessage());
    }
  }

  /** What {@code mlproof flink status} says of it, if the cluster has one. */
  public static Optional<String> status(Path dir, PipelineLauncher launcher) {
    Path home = dir.toAbsolutePath();
    return FlinkSessionCluster.recorded(home, BUILD)
        .map(
            build ->
                "task client "
                    + FlinkSessionCluster.liveProcess(home, FlinkSessionCluster.TASK_CLIENT)
                        .map(
                            p ->
                                "pid "
                                    + p.pid()
                                    + " running"
                                    + (isThisBuild(build, launcher)
                                        ? ", this build's"
                                        : ", not this build's: runs start their own until the"
                                            + " cluster is restarted"))
                        .orElse("not running: runs start their own")
                    + "; its log: "
                    + log(home));
  }

  /** Whether the client recorded with {@code build} runs {@code launcher}'s class path. */
  private static boolean isThisBuild(String build, PipelineLauncher launcher) {
    return build.equals(fingerprint(launcher.classpath()));
  }

  private static Path log(Path home) {
    return home.resolve("log").resolve(FlinkSessionCluster.TASK_CLIENT + ".log");
  }

  /** The class path's entries, with each file's size and modification time: a build changes it. */
  static String fingerprint(String classpath) {
    List<String> parts = new ArrayList<>();
    for (String entry : classpath.split(File.pathSeparator)) {
      Path path = Path.of(entry).toAbsolutePath().normalize();
      try {
        parts.add(
            Files.isRegularFile(path)
                ? path + "|" + Files.size(path) + "|" + Files.getLastModifiedTime(path).toMillis()
                : path.toString());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
      }
    }
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(String.join("\n", parts).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /** Why a run cannot use the cluster's task client. */
  public static final class Unavailable extends Exception {
    Unavailable(String why) {
      super(why);
    }
  }
}
