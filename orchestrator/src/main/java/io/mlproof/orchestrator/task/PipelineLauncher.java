package io.mlproof.orchestrator.task;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How pipeline tasks are forked: {@code java <jvmOptions> -cp <classpath> <mainClass> run
 * <pipeline> ...}, or the run's warm task client: {@code ... <mainClass> task-client} ({@link
 * TaskClient}). A pipeline never runs in the scheduler's JVM: a crash or a leak stays out of it, a
 * timeout can kill the task, and Flink's class loading works (it does not inside a host that loaded
 * Beam already).
 */
public record PipelineLauncher(
    Path java, String classpath, String mainClass, List<String> jvmOptions) {

  /** The CLI's entry point, which maps errors to exit codes 1 and 2. */
  public static final String CLI_MAIN = "io.mlproof.cli.Main";

  /** Java 17 module openings Beam and Flink need (the same as {@code bin/mlproof}'s). */
  public static final List<String> ADD_OPENS =
      List.of(
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
              "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
              "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");

  public PipelineLauncher {
    jvmOptions = List.copyOf(jvmOptions);
  }

  /**
   * {@code java <jvmOptions> <moreJvmOptions> -cp <classpath> <mainClass> <args>}: a task's own
   * client JVM, or the run's warm task client.
   */
  public List<String> command(List<String> moreJvmOptions, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(jvmOptions);
    command.addAll(moreJvmOptions);
    command.addAll(List.of("-cp", classpath, mainClass));
    command.addAll(args);
    return command;
  }

  /** This JVM's java and class path with {@code mainClass}. */
  public static PipelineLauncher sameJvm(String mainClass) {
    return new PipelineLauncher(
        Path.of(System.getProperty("java.home"), "bin", "java"),
        System.getProperty("java.class.path"),
        mainClass,
        ADD_OPENS);
  }
}
