package io.mlproof.orchestrator.flink;

import io.mlproof.orchestrator.core.RunnerKind;
import io.mlproof.orchestrator.core.RunnerSpec;
import io.mlproof.pipelines.core.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where one DAG run's pipeline tasks run on Flink, for the length of the run. With a master ({@code
 * --flink-master}, the DAG's or defaults.yaml's {@code flinkMaster}) every task is submitted there
 * with the bundled jar staged; with none, the run starts a local session cluster (real JobManager
 * and TaskManager processes) with the bundled jar on its class path, that every task shares without
 * staging anything and {@link #close()} stops. {@code flinkMaster: "[local]"} keeps Beam's embedded
 * cluster inside each task's JVM.
 */
public final class FlinkRunTarget implements AutoCloseable {

  public static final String MASTER_OPTION = "flinkMaster";
  public static final String FILES_TO_STAGE_OPTION = "filesToStage";

  /** Beam's value for a Flink cluster embedded in the submitting JVM. */
  public static final String EMBEDDED = "[local]";

  /** Beam's default: local unless the environment says otherwise; here it means "no master". */
  public static final String AUTO = "[auto]";

  /** The bundled jar for clusters, beside mlproof.jar. */
  public static final String CLUSTER_JAR = FlinkSetup.CLUSTER_JAR;

  private final RunnerSpec runner;
  private final Optional<FlinkSessionCluster> cluster;

  private FlinkRunTarget(RunnerSpec runner, Optional<FlinkSessionCluster> cluster) {
    this.runner = runner;
    this.cluster = cluster;
  }

  /**
   * Resolves the runner of a run. A local cluster is started only if {@code needsPipelines} (a
   * resumed run with nothing left to run starts none) in {@code clusterDir}.
   *
   * @param note tells the user what was started or chosen
   */
  public static FlinkRunTarget open(
      RunnerSpec runner,
      FlinkSetup setup,
      boolean needsPipelines,
      Path clusterDir,
      Consumer<String> note) {
    Optional<String> master = check(runner, setup);
    if (runner.kind() != RunnerKind.FLINK || master.filter(EMBEDDED::equals).isPresent()) {
      return new FlinkRunTarget(runner, Optional.empty());
    }
    if (master.isPresent()) {
      return new FlinkRunTarget(
          submitTo(runner, master.get(), setup.clusterJar()), Optional.empty());
    }
    if (!needsPipelines) {
      return new FlinkRunTarget(runner, Optional.empty());
    }
    if (!Files.isDirectory(setup.lib())) {
      throw new InvalidInputException(
          "the Flink runner without a master starts a local session cluster from "
              + setup.lib()
              + ", which does not exist: run 'make build', set "
              + FlinkSetup.LIB_ENV
              + ", give --flink-master host:port, or set flinkMaster: \"[local]\" for Flink's embedded cluster in each task");
    }
    FlinkSetup.LocalCluster size = setup.local();
    FlinkClusterSpec spec =
        FlinkClusterSpec.of(setup.lib(), clusterDir, size.taskManagers())
            .withSlots(size.slots())
            .withTaskManagerMemory(size.taskManagerMemory())
            .withStartCache(setup.startCache())
            .withClassDataSharing(setup.classDataSharing())
            .withTaskManagerJvmOptions(size.taskManagerJvmOptions());
    // The bundled jar on the cluster's class path: no task uploads it, and its classes load once
    // and stay warm across the run's tasks (docs/BENCHMARKS.md, "A Flink task's fixed cost").
    spec = setup.clusterJar().map(spec::withJobJar).orElse(spec);
    FlinkSessionCluster cluster = FlinkSessionCluster.start(spec);
    note.accept(
        "started a local Flink session cluster at "
            + cluster.master()
            + " ("
            + size.taskManagers()
            + " TaskManager(s) x "
            + size.slots()
            + " slots; logs in "
            + clusterDir.resolve("log")
            + "); it stops when the run ends");
    // The cluster has the bundled jar on its class path exactly when the build wrote one.
    return new FlinkRunTarget(
        submitTo(runner, cluster.master(), cluster.placeholderJar()), Optional.of(cluster));
  }

  /**
   * Whether a run's pipeline tasks are submitted to a Flink cluster (a master, or the run's local
   * session cluster) by clients that only plan, submit and wait, and should share the run's warm
   * task client ({@link FlinkSetup#taskClient()}).
   */
  public static boolean submitsToCluster(RunnerSpec runner, FlinkSetup setup) {
    return setup.taskClient()
        && runner.kind() == RunnerKind.FLINK
        && check(runner, setup).filter(EMBEDDED::equals).isEmpty();
  }

  /** The runner the run's tasks use. */
  public RunnerSpec runner() {
    return runner;
  }

  public Optional<FlinkSessionCluster> cluster() {
    return cluster;
  }

  /** Stops the local session cluster, if this run started one. Idempotent and thread-safe. */
  @Override
  public void close() {
    cluster.ifPresent(FlinkSessionCluster::close);
  }

  /**
   * {@code flinkMaster} set, {@code stage} staged unless the options stage something already, and
   * the JVM options of a client ({@link #clientJvmOptions}) before the run's own.
   */
  static RunnerSpec submitTo(RunnerSpec runner, String master, Optional<Path> stage) {
    Map<String, String> options = new LinkedHashMap<>(runner.options());
    options.put(MASTER_OPTION, master);
    if (!options.containsKey(FILES_TO_STAGE_OPTION)) {
      stage.ifPresent(jar -> options.put(FILES_TO_STAGE_OPTION, jar.toAbsolutePath().toString()));
    }
    return new RunnerSpec(runner.kind(), options, clientJvmOptions(runner.jvmOptions()));
  }

  private static final String ONE_JIT_TIER = "-XX:TieredStopAtLevel=1";
  private static final String SERIAL_GC = "-XX:+UseSerialGC";

  /**
   * A task submitted to a cluster is a short-lived client: it plans the pipeline, submits it and
   * waits, while the work runs on the TaskManagers. C2 compilation of code that runs once was most
   * of its CPU: one tier of JIT and the serial collector took a features task's client from 13-18
   * to 7.5-8 CPU seconds (docs/BENCHMARKS.md). A run's own JIT or collector options win.
   */
  public static List<String> clientJvmOptions(List<String> own) {
    List<String> options = new ArrayList<>();
    if (own.stream().noneMatch(o -> o.contains("Tiered"))) {
      options.add(ONE_JIT_TIER);
    }
    if (own.stream().noneMatch(o -> o.startsWith("-XX:+Use") && o.endsWith("GC"))) {
      options.add(SERIAL_GC);
    }
    options.addAll(own);
    return options;
  }

  /**
   * Checks the Flink settings of a run before it starts (the CLI calls it, so that a bad option
   * stores no run): a master only with the flink runner, and as {@code host:port}.
   *
   * @return the master tasks go to, if any ({@code [local]} included; {@code [auto]} is none)
   */
  public static Optional<String> check(RunnerSpec runner, FlinkSetup setup) {
    if (runner.kind() != RunnerKind.FLINK) {
      if (setup.master().isPresent()) {
        throw new InvalidInputException(
            "--flink-master and --flink-cluster are for the flink runner, but this run uses "
                + runner.kind().yamlName()
                + ": add --runner flink");
      }
      return Optional.empty();
    }
    Optional<String> master =
        setup
            .master()
            .or(() -> Optional.ofNullable(runner.options().get(MASTER_OPTION)))
            .filter(m -> !m.equals(AUTO));
    master.filter(m -> !m.equals(EMBEDDED)).ifPresent(FlinkRunTarget::checkMaster);
    return master;
  }

  /** {@code host:port}, as Flink's REST client takes it. */
  static void checkMaster(String master) {
    int colon = master.lastIndexOf(':');
    boolean ok =
        colon > 0
            && master.substring(colon + 1).matches("\\d{1,5}")
            && Integer.parseInt(master.substring(colon + 1)) <= 65_535;
    if (!ok) {
      throw new InvalidInputException(
          "Flink master '"
              + master
              + "' is not host:port (the JobManager's REST"
              + " address, e.g. 127.0.0.1:8081)");
    }
  }
}
