package io.mlproof.orchestrator.flink;

import io.mlproof.pipelines.core.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A Flink 1.19 standalone session cluster on loopback: one JobManager and {@code taskManagers}
 * TaskManager processes started from the jars in {@code lib} (the flink-cluster module copies them
 * to {@code target/flink-lib}), with everything they write under {@code dir}.
 *
 * @param lib the cluster's class path: a folder of jars holding flink-runtime
 * @param dir the cluster's folder: {@code conf/}, {@code log/}, {@code tmp/} (io.tmp.dirs, removed
 *     on stop) and {@code cluster.properties} (its pids and ports while it runs)
 * @param slots task slots per TaskManager
 * @param jobManagerMemory Flink's {@code jobmanager.memory.process.size}
 * @param taskManagerMemory Flink's {@code taskmanager.memory.process.size}
 * @param readyTimeout how long to wait for every TaskManager to register
 * @param jobJar a bundled jar put on the cluster's class path after {@code lib}, so that jobs find
 *     their classes there, loaded once per process and warm across jobs, and stage nothing ({@link
 *     FlinkSessionCluster#placeholderJar()}); empty for a cluster jobs stage their jar to
 * @param startCache a folder where starts keep what the next start on the same class path reuses
 *     (Flink's memory sizing, class-data-sharing archives: {@link FlinkStartCache}); empty for none
 * @param classDataSharing whether the JobManager and TaskManagers map (or, the first time, dump) a
 *     class-data-sharing archive in {@code startCache}
 * @param taskManagerJvmOptions more JVM options for the TaskManagers
 */
public record FlinkClusterSpec(
    Path lib,
    Path dir,
    int taskManagers,
    int slots,
    String jobManagerMemory,
    String taskManagerMemory,
    Duration readyTimeout,
    Optional<Path> jobJar,
    Optional<Path> startCache,
    boolean classDataSharing,
    List<String> taskManagerJvmOptions) {

  /** Sizes that fit the shared 2-core, 24 GB machine (verified in shared/FLINK_CLUSTER.md). */
  public static final String DEFAULT_JOB_MANAGER_MEMORY = "1g";

  public static final String DEFAULT_TASK_MANAGER_MEMORY = "1536m";
  // Under a loaded 2-core machine two TaskManagers took over 2 minutes to register.
  public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofMinutes(5);

  public FlinkClusterSpec {
    if (taskManagers < 1) {
      throw new InvalidInputException(
          "a Flink cluster needs at least 1 TaskManager, not " + taskManagers);
    }
    if (slots < 1) {
      throw new InvalidInputException("a TaskManager needs at least 1 task slot, not " + slots);
    }
    if (!jobManagerMemory.matches("\\d+[kmg]?") || !taskManagerMemory.matches("\\d+[kmg]?")) {
      throw new InvalidInputException(
          "Flink memory sizes are like 1g or 1536m, not '"
              + jobManagerMemory
              + "' / '"
              + taskManagerMemory
              + "'");
    }
  }

  /** The default sizes with {@code taskManagers} TaskManagers of 2 slots. */
  public static FlinkClusterSpec of(Path lib, Path dir, int taskManagers) {
    return new FlinkClusterSpec(
        lib,
        dir,
        taskManagers,
        2,
        DEFAULT_JOB_MANAGER_MEMORY,
        DEFAULT_TASK_MANAGER_MEMORY,
        DEFAULT_READY_TIMEOUT,
        Optional.empty(),
        Optional.empty(),
        false,
        List.of());
  }

  public FlinkClusterSpec withSlots(int value) {
    return copy(
        value, taskManagerMemory, jobJar, startCache, classDataSharing, taskManagerJvmOptions);
  }

  public FlinkClusterSpec withTaskManagerMemory(String value) {
    return copy(slots, value, jobJar, startCache, classDataSharing, taskManagerJvmOptions);
  }

  public FlinkClusterSpec withJobJar(Path value) {
    return copy(
        slots,
        taskManagerMemory,
        Optional.of(value),
        startCache,
        classDataSharing,
        taskManagerJvmOptions);
  }

  public FlinkClusterSpec withStartCache(Optional<Path> value) {
    return copy(slots, taskManagerMemory, jobJar, value, classDataSharing, taskManagerJvmOptions);
  }

  public FlinkClusterSpec withClassDataSharing(boolean value) {
    return copy(slots, taskManagerMemory, jobJar, startCache, value, taskManagerJvmOptions);
  }

  public FlinkClusterSpec withTaskManagerJvmOptions(List<String> value) {
    return copy(slots, taskManagerMemory, jobJar, startCache, classDataSharing, List.copyOf(value));
  }

  private FlinkClusterSpec copy(
      int slots,
      String taskManagerMemory,
      Optional<Path> jobJar,
      Optional<Path> startCache,
      boolean classDataSharing,
      List<String> taskManagerJvmOptions) {
    return new FlinkClusterSpec(
        lib,
        dir,
        taskManagers,
        slots,
        jobManagerMemory,
        taskManagerMemory,
        readyTimeout,
        jobJar,
        startCache,
        classDataSharing,
        taskManagerJvmOptions);
  }

  /**
   * Checks that {@code lib} holds Flink's runtime and the job jar exists, with the fix in the
   * message if not.
   */
  void checkLib() {
    jobJar
        .filter(jar -> !Files.isRegularFile(jar))
        .ifPresent(
            jar -> {
              throw new InvalidInputException(
                  "the jar to put on the Flink cluster's class path, "
                      + jar
                      + ", does not exist: run 'make build' or set "
                      + FlinkSetup.JAR_ENV);
            });
    boolean ok = false;
    if (Files.isDirectory(lib)) {
      try (var files = Files.list(lib)) {
        ok = files.anyMatch(f -> f.getFileName().toString().startsWith("flink-runtime-"));
      } catch (java.io.IOException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw new InvalidInputException(
          "no Flink cluster class path in "
              + lib
              + " (flink-runtime-*.jar):"
              + " run 'make build' (the flink-cluster module copies it to target/flink-lib) or set MLPROOF_FLINK_LIB");
    }
  }
}
