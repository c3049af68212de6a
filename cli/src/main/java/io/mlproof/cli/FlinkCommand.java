package io.mlproof.cli;

import io.mlproof.orchestrator.flink.FlinkClusterSpec;
import io.mlproof.orchestrator.flink.FlinkRunTarget;
import io.mlproof.orchestrator.flink.FlinkSessionCluster;
import io.mlproof.orchestrator.flink.FlinkSetup;
import io.mlproof.orchestrator.task.ClusterTaskClient;
import io.mlproof.orchestrator.task.PipelineLauncher;
import io.mlproof.pipelines.core.ExitCodes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mlproof flink start|stop|status}: a Flink 1.19 standalone session cluster on this machine
 * (1 JobManager, N TaskManagers, loopback) for platform teams and tests; docs/DEPLOY.md.
 */
@Command(
    name = "flink",
    mixinStandardHelpOptions = true,
    description =
        "A local Flink session cluster (real JobManager and TaskManager processes on loopback) to"
            + " submit pipelines to, that outlives DAG runs: mlproof dags run <dag> --runner flink"
            + " --flink-cluster <dir> (or --flink-master <master>).",
    subcommands = {FlinkCommand.Start.class, FlinkCommand.Stop.class, FlinkCommand.Status.class})
final class FlinkCommand {

  /** How long the cluster's task client may take to listen: a JVM start, on a loaded machine. */
  private static final Duration TASK_CLIENT_TIMEOUT = Duration.ofSeconds(60);

  /** The cluster's folder, shared by the three commands. */
  static final class Folder {
    @Option(
        names = "--dir",
        required = true,
        description =
            "The cluster's folder: conf/, log/, tmp/ (removed on stop) and cluster.properties (pids, ports).")
    Path dir;
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      showDefaultValues = true,
      description =
          "Start the cluster and wait until every TaskManager has registered; prints the master.")
  static final class Start implements Callable<Integer> {
    @picocli.CommandLine.Mixin Folder folder;
    @Spec CommandSpec spec;

    @Option(names = "--taskmanagers", description = "TaskManager processes.")
    int taskManagers = 2;

    @Option(names = "--slots", description = "Task slots per TaskManager.")
    int slots = 2;

    @Option(
        names = "--taskmanager-memory",
        description = "Flink's taskmanager.memory.process.size.")
    String taskManagerMemory = FlinkClusterSpec.DEFAULT_TASK_MANAGER_MEMORY;

    @Option(
        names = "--lib",
        description =
            "The Flink cluster class path (default: target/flink-lib beside the"
                + " mlproof jar, or $"
                + FlinkSetup.LIB_ENV
                + ").")
    Path lib;

    @Option(
        names = "--job-jar",
        paramLabel = "<jar>",
        description =
            "Put this bundled jar (target/"
                + FlinkSetup.CLUSTER_JAR
                + ") on the cluster's class path, so jobs stage nothing: submit them with"
                + " --filesToStage=<dir>/"
                + FlinkSessionCluster.PLACEHOLDER_JAR
                + " (an empty jar). Without it, jobs stage the bundled jar.")
    Path jobJar;

    @Option(
        names = "--no-start-cache",
        description =
            "Size the processes and load their classes afresh instead of reusing what earlier"
                + " starts on the same class path kept (Flink's memory sizing, class-data-sharing"
                + " archives) in target/"
                + FlinkSetup.START_CACHE
                + " beside the mlproof jar, or $"
                + FlinkSetup.START_CACHE_ENV
                + ".")
    boolean noStartCache;

    @Option(
        names = "--class-data-sharing",
        description =
            "Map a class-data-sharing archive of the JobManager's and TaskManagers' classes from the"
                + " start cache, dumping it when this cluster stops if the cache has none for this"
                + " class path (about 10 s once; later starts are 2-3 s faster).")
    boolean classDataSharing;

    @Option(
        names = "--no-task-client",
        description =
            "Start no task client: DAG runs on the cluster (--flink-cluster) then each start a client"
                + " JVM of their own, which plans their pipelines from cold.")
    boolean noTaskClient;

    @Override
    public Integer call() {
      FlinkSetup setup = FlinkSetup.standard();
      Path libDir = lib != null ? lib : setup.lib();
      FlinkClusterSpec clusterSpec =
          FlinkClusterSpec.of(libDir, folder.dir, taskManagers)
              .withSlots(slots)
              .withTaskManagerMemory(taskManagerMemory)
              .withStartCache(noStartCache ? Optional.empty() : setup.startCache())
              .withClassDataSharing(classDataSharing);
      if (jobJar != null) {
        clusterSpec = clusterSpec.withJobJar(jobJar);
      }
      // Started for others to use: this command returns and the processes keep running.
      FlinkSessionCluster cluster = FlinkSessionCluster.start(clusterSpec);
      Optional<ProcessHandle> taskClient = Optional.empty();
      if (!noTaskClient) {
        try {
          taskClient =
              Optional.of(
                  ClusterTaskClient.start(
                      folder.dir,
                      PipelineLauncher.sameJvm(PipelineLauncher.CLI_MAIN),
                      FlinkRunTarget.clientJvmOptions(List.of()),
                      TASK_CLIENT_TIMEOUT));
        } catch (RuntimeException e) {
          FlinkSessionCluster.stop(folder.dir);
          throw e;
        }
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(cluster.master());
      spec.commandLine()
          .getErr()
          .println(
              "Flink session cluster ready: master "
                  + cluster.master()
                  + ", JobManager pid "
                  + cluster.jobManager().pid()
                  + ", TaskManager pids "
                  + cluster.taskManagers().stream()
                      .map(p -> Long.toString(p.pid()))
                      .collect(Collectors.joining(" "))
                  + taskClient.map(p -> ", task client pid " + p.pid()).orElse("")
                  + cluster
                      .placeholderJar()
                      .map(jar -> "; jobs find their classes on its class path: stage " + jar)
                      .orElse("")
                  + "; logs in "
                  + folder.dir.resolve("log")
                  + "; run DAGs on it with: mlproof dags run <dag> --runner flink --flink-cluster "
                  + folder.dir
                  + "; stop with: mlproof flink stop --dir "
                  + folder.dir);
      return ExitCodes.SUCCESS;
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description =
          "Stop the cluster recorded in --dir and its task client (SIGTERM, 10 s, then SIGKILL) and"
              + " remove its tmp/.")
  static final class Stop implements Callable<Integer> {
    @picocli.CommandLine.Mixin Folder folder;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      int stopped = FlinkSessionCluster.stop(folder.dir);
      spec.commandLine()
          .getOut()
          .println(
              stopped == 0
                  ? "no Flink process was running for " + folder.dir
                  : "stopped "
                      + stopped
                      + " process(es) of "
                      + folder.dir
                      + " (Flink's and the cluster's task client)");
      return ExitCodes.SUCCESS;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "The cluster recorded in --dir: its master, live processes and the JobManager's /overview."
              + " Exit code 0 when every process runs and the JobManager answers, 1 otherwise.")
  static final class Status implements Callable<Integer> {
    @picocli.CommandLine.Mixin Folder folder;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      return FlinkSessionCluster.status(folder.dir)
          .map(
              s -> {
                out.println(
                    "master "
                        + s.master()
                        + ": "
                        + s.alive()
                        + " of "
                        + s.processes()
                        + " processes running");
                FlinkSessionCluster.jobJarStatus(folder.dir, FlinkSetup.standard().clusterJar())
                    .ifPresent(out::println);
                ClusterTaskClient.status(
                        folder.dir, PipelineLauncher.sameJvm(PipelineLauncher.CLI_MAIN))
                    .ifPresent(out::println);
                s.overview().ifPresent(o -> out.println("overview " + o));
                boolean up = s.alive() == s.processes() && s.overview().isPresent();
                return up ? ExitCodes.SUCCESS : ExitCodes.RUN_FAILED;
              })
          .orElseGet(
              () -> {
                out.println("no Flink cluster recorded in " + folder.dir);
                return ExitCodes.RUN_FAILED;
              });
    }
  }
}
