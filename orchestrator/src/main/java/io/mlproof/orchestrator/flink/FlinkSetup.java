package io.mlproof.orchestrator.flink;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where DAG runs send Flink pipeline tasks and what they need for it.
 *
 * @param master {@code --flink-master host:port}: overrides the DAG's {@code flinkMaster}
 * @param lib the Flink cluster class path for local session clusters ({@code target/flink-lib})
 * @param clusterJar the bundled jar tasks stage with {@code --filesToStage} ({@code
 *     target/mlproof-flink.jar}), if it was built
 * @param local the size of the local session cluster a run starts when no master is given
 * @param taskClient whether tasks sent to a cluster run as threads of the run's warm task client
 *     (the default) rather than each in a JVM of its own ({@code --fork-each-task})
 * @param startCache where local session clusters keep what later starts reuse ({@code
 *     target/flink-start-cache}, {@link FlinkStartCache}); empty for none
 * @param classDataSharing whether local session clusters map class-data-sharing archives from the
 *     start cache, dumping them on the first stop after a build ({@code
 *     MLPROOF_FLINK_CLASS_DATA_SHARING=true}; off by default: the dump costs about 10 s once per
 *     build and saves 2-3 s per later start)
 * @param startedCluster the folder of the cluster {@code mlproof flink start} started that runs
 *     submit to ({@code --flink-cluster}): its task client runs their tasks ({@code
 *     task.ClusterTaskClient})
 */
public record FlinkSetup(
    Optional<String> master,
    Path lib,
    Optional<Path> clusterJar,
    LocalCluster local,
    boolean taskClient,
    Optional<Path> startCache,
    boolean classDataSharing,
    Optional<Path> startedCluster) {

  /**
   * The local session cluster of a DAG run: TaskManagers, slots each, TaskManager memory and more
   * TaskManager JVM options.
   */
  public record LocalCluster(
      int taskManagers, int slots, String taskManagerMemory, List<String> taskManagerJvmOptions) {
    /**
     * One TaskManager (no network shuffle on one machine) with room for two tasks of parallelism 2
     * at once (max_active_tasks 2); 4 GB so a training task's examples fit its heap. One JIT tier:
     * a run's jobs are short and each TaskManager new, so C2 compiling code that runs for seconds
     * cost more than it saved (the demo DAG at 100,000 users 61.4-61.8 s against 66.7-70.8 s, the
     * features tasks 13 s against 16-19 s; docs/bench/dag.md, session 9).
     */
    public static final LocalCluster STANDARD =
        new LocalCluster(1, 4, "4g", List.of("-XX:TieredStopAtLevel=1"));
  }

  public static final String LIB_ENV = "MLPROOF_FLINK_LIB";
  public static final String JAR_ENV = "MLPROOF_FLINK_JAR";
  public static final String CLUSTER_JAR = "mlproof-flink.jar";
  public static final String START_CACHE_ENV = "MLPROOF_FLINK_START_CACHE";
  public static final String START_CACHE = "flink-start-cache";
  public static final String CLASS_DATA_SHARING_ENV = "MLPROOF_FLINK_CLASS_DATA_SHARING";

  /**
   * The cluster class path and bundled jar beside the jar this class runs from ({@code
   * target/flink-lib}, {@code target/mlproof-flink.jar}), or where {@code MLPROOF_FLINK_LIB} and
   * {@code MLPROOF_FLINK_JAR} say; the start cache beside them ({@code target/flink-start-cache})
   * or where {@code MLPROOF_FLINK_START_CACHE} says (empty: none).
   */
  public static FlinkSetup standard() {
    Path home = installFolder();
    Path lib =
        Optional.ofNullable(System.getenv(LIB_ENV)).map(Path::of).orElse(home.resolve("flink-lib"));
    Path jar =
        Optional.ofNullable(System.getenv(JAR_ENV)).map(Path::of).orElse(home.resolve(CLUSTER_JAR));
    return new FlinkSetup(
        Optional.empty(),
        lib,
        Optional.of(jar).filter(Files::isRegularFile),
        LocalCluster.STANDARD,
        true,
        Optional.ofNullable(System.getenv(START_CACHE_ENV))
            .map(v -> v.isEmpty() ? Optional.<Path>empty() : Optional.of(Path.of(v)))
            .orElse(Optional.of(home.resolve(START_CACHE))),
        Boolean.parseBoolean(System.getenv(CLASS_DATA_SHARING_ENV)),
        Optional.empty());
  }

  public FlinkSetup withMaster(Optional<String> value) {
    return new FlinkSetup(
        value, lib, clusterJar, local, taskClient, startCache, classDataSharing, startedCluster);
  }

  public FlinkSetup withLib(Path value) {
    return new FlinkSetup(
        master, value, clusterJar, local, taskClient, startCache, classDataSharing, startedCluster);
  }

  public FlinkSetup withClusterJar(Optional<Path> value) {
    return new FlinkSetup(
        master, lib, value, local, taskClient, startCache, classDataSharing, startedCluster);
  }

  public FlinkSetup withLocal(LocalCluster value) {
    return new FlinkSetup(
        master, lib, clusterJar, value, taskClient, startCache, classDataSharing, startedCluster);
  }

  public FlinkSetup withTaskClient(boolean value) {
    return new FlinkSetup(
        master, lib, clusterJar, local, value, startCache, classDataSharing, startedCluster);
  }

  public FlinkSetup withStartedCluster(Optional<Path> value) {
    return new FlinkSetup(
        master, lib, clusterJar, local, taskClient, startCache, classDataSharing, value);
  }

  /**
   * The folder of the mlproof jar ({@code target/}); run from Maven's class folders ({@code
   * orchestrator/target/classes}), the repository's {@code target/}.
   */
  static Path installFolder() {
    try {
      Path source =
          Path.of(FlinkSetup.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(source)) {
        return source.toAbsolutePath().normalize().getParent();
      }
      return source
          .toAbsolutePath()
          .normalize()
          .getParent()
          .getParent()
          .getParent()
          .resolve("target");
    } catch (URISyntaxException | RuntimeException e) {
      return Path.of("target").toAbsolutePath();
    }
  }
}
