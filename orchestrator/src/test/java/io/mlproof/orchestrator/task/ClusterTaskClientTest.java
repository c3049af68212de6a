package io.mlproof.orchestrator.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.orchestrator.flink.FlinkSessionCluster;
import io.mlproof.orchestrator.process.Processes;
import io.mlproof.orchestrator.state.ProcessIdentity;
import io.mlproof.orchestrator.testing.Harness;
import io.mlproof.orchestrator.testing.TestPipelineMain;
import io.mlproof.pipelines.core.ExitCodes;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster's task client as a real JVM ({@link TestPipelineMain}'s {@code task-client --listen})
 * recorded in a cluster folder with no Flink processes: runs connect to it over loopback, it
 * outlives them, and it is stopped with the cluster.
 */
@Timeout(120)
class ClusterTaskClientTest {

  @TempDir Path dir;
  private Harness harness;
  private PipelineLauncher launcher;
  private ProcessHandle server;
  private final List<TaskClient> clients = new ArrayList<>();
  private final ExecutorService background = Executors.newCachedThreadPool();

  @BeforeEach
  void start() {
    harness = new Harness(dir.resolve("harness"));
    launcher = Harness.testLauncher(TestPipelineMain.class.getName());
    server = ClusterTaskClient.start(cluster(), launcher, List.of(), Duration.ofSeconds(60));
  }

  @AfterEach
  void stop() {
    background.shutdownNow();
    clients.forEach(TaskClient::close);
    FlinkSessionCluster.stop(cluster());
    harness.close();
  }

  @Test
  void runsTheTasksOfEachRunThatConnectsAndOutlivesThem() throws Exception {
    // (ProcessHandle.Info truncates a long command line; /proc has all of it)
    String cmdline =
        new String(
            Files.readAllBytes(Path.of("/proc", Long.toString(server.pid()), "cmdline")),
            StandardCharsets.UTF_8);
    assertThat(List.of(cmdline.split("\0")))
        .endsWith(
            "task-client",
            "--listen",
            cluster().toAbsolutePath().resolve(ClusterTaskClient.ADDRESS).toString());
    TaskClient first = connect();
    assertThat(first.shared()).isTrue();
    assertThat(first.process().pid()).isEqualTo(server.pid());
    assertThat(run(first, touchArgs("a"))).isEqualTo(new ProcessSupervisor.Exit(0, false));
    assertThat(dir.resolve("out/a/manifest.json")).exists();
    assertThat(Files.readAllLines(log("a")).get(0))
        .isEqualTo("$ [task client pid " + server.pid() + "] " + String.join(" ", touchArgs("a")));
    first.close();
    assertThat(ProcessIdentity.isRunning(server)).isTrue();

    TaskClient second = connect();
    assertThat(run(second, touchArgs("b"))).isEqualTo(new ProcessSupervisor.Exit(0, false));
    assertThat(dir.resolve("out/b/manifest.json")).exists();
  }

  /**
   * A run that goes away (its scheduler closed the connection, or died) has its running task
   * interrupted; another run's session goes on.
   */
  @Test
  void aRunThatDisconnectsHasItsRunningTaskInterruptedAndOtherRunsGoOn() throws Exception {
    Path signal = harness.fifo("signal");
    TaskClient leaving = connect();
    TaskClient staying = connect();
    List<String> waiting = new ArrayList<>(touchArgs("w"));
    waiting.add("--untilInterrupted=" + signal);
    Future<ProcessSupervisor.Exit> left = background.submit(() -> run(leaving, waiting));
    try (BufferedReader lines = Files.newBufferedReader(signal, StandardCharsets.UTF_8)) {
      assertThat(lines.readLine()).isEqualTo("waiting");
      leaving.close();
      assertThat(lines.readLine()).isEqualTo("interrupted");
    }
    assertThat(left.get()).isEqualTo(new ProcessSupervisor.Exit(ExitCodes.RUN_FAILED, false));
    assertThat(dir.resolve("out/w/manifest.json")).doesNotExist();
    assertThat(run(staying, touchArgs("s"))).isEqualTo(new ProcessSupervisor.Exit(0, false));
    assertThat(ProcessIdentity.isRunning(server)).isTrue();
  }

  @Test
  void aConnectionWithoutTheSecretRunsNothing() throws Exception {
    TaskClientAddress real = TaskClientAddress.read(cluster().resolve(ClusterTaskClient.ADDRESS));
    TaskClient intruder =
        TaskClient.connect(
            server, new TaskClientAddress(real.port(), "0".repeat(48)), dir.resolve("c.log"));
    clients.add(intruder);
    assertThat(run(intruder, touchArgs("x")).code()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(dir.resolve("out/x")).doesNotExist();
    assertThat(Files.readString(cluster().resolve("log/task-client.log")))
        .contains("refused a connection from /127.0.0.1:")
        .contains("that did not present the secret of its address file");
    assertThat(Files.getPosixFilePermissions(cluster().resolve(ClusterTaskClient.ADDRESS)))
        .containsExactlyInAnyOrder(
            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
  }

  @Test
  void aRunSaysWhyItCannotUseTheClient() throws Exception {
    Path none = dir.resolve("no-client");
    assertThatThrownBy(() -> ClusterTaskClient.connect(none, launcher))
        .isInstanceOf(ClusterTaskClient.Unavailable.class)
        .hasMessage("the cluster was started without one (--no-task-client)");

    PipelineLauncher otherBuild =
        new PipelineLauncher(
            launcher.java(),
            launcher.classpath() + java.io.File.pathSeparator + dir.resolve("more.jar"),
            launcher.mainClass(),
            launcher.jvmOptions());
    assertThatThrownBy(() -> ClusterTaskClient.connect(cluster(), otherBuild))
        .hasMessage(
            "it runs another build of mlproof than this run's class path "
                + otherBuild.classpath()
                + " (restart the cluster to use it)");
    assertThat(ClusterTaskClient.status(cluster(), otherBuild).orElseThrow())
        .isEqualTo(
            "task client pid "
                + server.pid()
                + " running, not this build's: runs start their own until the cluster is"
                + " restarted; its log: "
                + cluster().toAbsolutePath().resolve("log/task-client.log"));

    Processes.killTree(server);
    server.onExit().get();
    assertThatThrownBy(() -> ClusterTaskClient.connect(cluster(), launcher))
        .hasMessage(
            "it is not running (its log: "
                + cluster().toAbsolutePath().resolve("log/task-client.log")
                + ")");
  }

  @Test
  void itIsReportedAndStoppedWithTheCluster() {
    assertThat(ClusterTaskClient.status(cluster(), launcher).orElseThrow())
        .isEqualTo(
            "task client pid "
                + server.pid()
                + " running, this build's; its log: "
                + cluster().toAbsolutePath().resolve("log/task-client.log"));
    assertThat(FlinkSessionCluster.stop(cluster())).isEqualTo(1);
    assertThat(ProcessIdentity.isRunning(server)).isFalse();
    assertThat(cluster().resolve(ClusterTaskClient.ADDRESS)).doesNotExist();
    assertThat(ClusterTaskClient.status(cluster(), launcher)).isEmpty();
  }

  private Path cluster() {
    return dir.resolve("cluster");
  }

  private TaskClient connect() throws ClusterTaskClient.Unavailable {
    TaskClient client = ClusterTaskClient.connect(cluster(), launcher);
    clients.add(client);
    return client;
  }

  private ProcessSupervisor.Exit run(TaskClient client, List<String> args)
      throws InterruptedException {
    String task = args.get(4).substring("--taskId=".length());
    return client.run(
        args,
        log(task),
        dir.resolve(task + ".progress.json"),
        Optional.empty(),
        ProcessWatcher.NONE,
        () -> {});
  }

  private Path log(String task) {
    return dir.resolve(task + ".log");
  }

  private List<String> touchArgs(String task) {
    return List.of(
        "run",
        "touch",
        "--output=" + dir.resolve("out").resolve(task),
        "--dagId=d",
        "--taskId=" + task);
  }
}
