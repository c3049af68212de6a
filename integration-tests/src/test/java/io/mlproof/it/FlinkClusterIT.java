package io.mlproof.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlproof.orchestrator.flink.FlinkClusterSpec;
import io.mlproof.orchestrator.flink.FlinkSessionCluster;
import io.mlproof.orchestrator.flink.FlinkSetup;
import io.mlproof.orchestrator.state.ProcessIdentity;
import io.mlproof.pipelines.core.StageProgress;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.proto.v1.Event;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelines on a real Flink 1.19 session cluster started by the project's own code (1 JobManager, 2
 * TaskManagers of 2 slots, loopback, free ports), submitted by {@code mlproof dags run --runner
 * flink --flink-master}: the output is exactly the warehouse's rows, and stays exact when a
 * TaskManager is killed with SIGKILL in the middle of a job. One cluster for the class (its start
 * is the expensive part); the failover test runs last because it leaves one TaskManager.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlinkClusterIT {
  private static final String DS = "2024-04-29";
  private static final String LATER_DS = "2024-05-06";
  private static final String EARLIER_DS = "2024-04-22";

  @TempDir static Path dir;
  static Path warehouse;
  static Path dags;
  static FlinkSessionCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    warehouse = dir.resolve("w.duckdb");
    // No malformed copies: every event of the window is a record, so the expected output is a
    // query.
    MlproofCli.demoWarehouse(
        dir, warehouse, "--users", "1000", "--days", "120", "--bad-row-rate", "0");
    dags = Files.createDirectories(dir.resolve("dags"));
    Files.writeString(
        dags.resolve("defaults.yaml"),
        """
        start_date: 2024-01-01
        default_args:
          retries: 0
        runner:
          name: flink
          jvm_options: [-Xmx512m]
        runners:
          flink:
            parallelism: 2
        """);
    Files.writeString(
        dags.resolve("on_flink.yaml"),
        """
        dag_id: on_flink
        schedule: "0 0 * * 1"
        tasks:
          - id: extract_events
            pipeline: extract
            options:
              warehouse: "duckdb:%s"
              recordType: events
              lookbackDays: 60
        """
            .formatted(warehouse));
    // Each event of the interval 1,000 times: a job that runs for a minute or more, so that it is
    // still running when the run is interrupted, and ends on its own if cancelling does not work.
    Path copies =
        Files.writeString(
            dir.resolve("event_copies.sql"),
            """
        SELECT e.event_id, e.user_id, e.event_type, e.event_at, e.amount
        FROM {{ table('events') }} AS e
        CROSS JOIN (SELECT event_id FROM {{ table('events') }} LIMIT 1000) AS copies
        WHERE e.event_at >= {{ data_interval_start }} AND e.event_at < {{ data_interval_end }}
        """);
    Files.writeString(
        dags.resolve("long_job.yaml"),
        """
        dag_id: long_job
        schedule: "0 0 * * 1"
        tasks:
          - id: extract_copies
            pipeline: extract
            options:
              warehouse: "duckdb:%s"
              recordType: events
              template: "%s"
        """
            .formatted(warehouse, copies));
    Path lib =
        Path.of(
            System.getProperty(
                "mlproof.flinkLib", MlproofCli.repo().resolve("target/flink-lib").toString()));
    cluster = FlinkSessionCluster.start(FlinkClusterSpec.of(lib, dir.resolve("cluster"), 2));
  }

  @AfterAll
  static void stopClusterAndLeaveNothing() {
    if (cluster == null) {
      return;
    }
    List<ProcessHandle> processes = new ArrayList<>(cluster.taskManagers());
    processes.add(cluster.jobManager());
    cluster.close();
    // A stopped process may be a zombie for a moment until the JDK's reaper waits for it; it runs
    // no
    // more, which is what ProcessIdentity.isRunning (and the cluster's own stop) checks.
    assertThat(processes).noneMatch(ProcessIdentity::isRunning);
    assertThat(dir.resolve("cluster/tmp")).doesNotExist();
    assertThat(dir.resolve("cluster/" + FlinkSessionCluster.STATE_FILE)).doesNotExist();
    assertThat(dir.resolve("cluster/log/jobmanager.log")).exists();
  }

  @Test
  @Order(1)
  void theClusterHasTwoTaskManagersAndTheStatusCommandSeesThem() throws Exception {
    JsonNode overview = cluster.get("/overview");
    assertThat(overview.path("taskmanagers").asInt()).isEqualTo(2);
    assertThat(overview.path("slots-total").asInt()).isEqualTo(4);
    assertThat(overview.path("flink-version").asText()).isEqualTo("1.19.0");
    MlproofCli.Result status =
        MlproofCli.run(dir, "flink", "status", "--dir", dir.resolve("cluster").toString());
    assertThat(status.exitCode()).as(status.stderr()).isZero();
    assertThat(status.stdout())
        .startsWith("master " + cluster.master() + ": 3 of 3 processes running");
  }

  @Test
  @Order(2)
  void aDagRunSubmitsItsPipelineTasksToTheClusterWithTheBundledJar() throws Exception {
    MlproofCli.Result run = dagRun(DS).await();
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(eventIds(DS)).containsExactlyElementsOf(expectedEventIds(DS));
    String log =
        Files.readString(
            dir.resolve("runs/_logs/on_flink/" + DS + "/extract_events/attempt=1.log"));
    assertThat(log.lines().findFirst().orElseThrow())
        .contains(
            " --runner=FlinkRunner --parallelism=2 --flinkMaster="
                + cluster.master()
                + " --filesToStage=")
        .endsWith(
            "target/mlproof-flink.jar --jobName=mlproof-on_flink-" + DS + "-extract_events-try1");
    JsonNode jobs = cluster.get("/jobs/overview").path("jobs");
    assertThat(jobs).hasSize(1);
    assertThat(jobs.get(0).path("state").asText()).isEqualTo("FINISHED");
  }

  /**
   * A cluster that outlives the run, started by {@code mlproof flink start --job-jar} with this
   * build's bundled jar on its class path: {@code dags run --flink-cluster DIR} finds its master in
   * the folder and stages the empty placeholder jar instead of the bundled one; the output is
   * exact. The cluster is stopped by the command a platform team would use, and nothing of it runs
   * after.
   */
  @Test
  @Order(3)
  void aDagRunOnAClusterStartedWithTheJobJarStagesNothing() throws Exception {
    Path started = dir.resolve("started");
    ProcessHandle taskClient = null;
    Path jobJar = MlproofCli.repo().resolve("target/" + FlinkSetup.CLUSTER_JAR);
    MlproofCli.Result start =
        MlproofCli.run(
            dir,
            "flink",
            "start",
            "--dir",
            started.toString(),
            "--taskmanagers",
            "1",
            "--job-jar",
            jobJar.toString());
    try {
      assertThat(start.exitCode()).as(start.stderr()).isZero();
      // stdout is the master alone, for scripts; the rest goes to stderr.
      String master = start.stdout().strip();
      assertThat(master).matches("127\\.0\\.0\\.1:\\d+");
      assertThat(start.stderr()).contains("--flink-cluster " + started);
      java.util.regex.Matcher pid =
          java.util.regex.Pattern.compile(", task client pid (\\d+);").matcher(start.stderr());
      assertThat(pid.find()).as(start.stderr()).isTrue();
      taskClient = ProcessHandle.of(Long.parseLong(pid.group(1))).orElseThrow();
      MlproofCli.Result run =
          dagRun("on_flink", EARLIER_DS, "--flink-cluster", started.toString()).await();
      assertThat(run.exitCode()).as(run.stderr()).isZero();
      // The task ran in the cluster's task client, which outlives the run.
      assertThat(run.stderr())
          .contains(
              "pipeline tasks run as threads of the cluster's task client (pid "
                  + taskClient.pid()
                  + "), which outlives the run");
      assertThat(ProcessIdentity.isRunning(taskClient)).isTrue();
      assertThat(eventIds(EARLIER_DS)).containsExactlyElementsOf(expectedEventIds(EARLIER_DS));
      String log =
          Files.readString(
              dir.resolve("runs/_logs/on_flink/" + EARLIER_DS + "/extract_events/attempt=1.log"));
      assertThat(log.lines().findFirst().orElseThrow())
          .startsWith("$ [task client pid " + taskClient.pid() + "] run extract ")
          .contains(
              " --flinkMaster="
                  + master
                  + " --filesToStage="
                  + started.resolve(FlinkSessionCluster.PLACEHOLDER_JAR)
                  + " --jobName=");
      MlproofCli.Result status =
          MlproofCli.run(dir, "flink", "status", "--dir", started.toString());
      assertThat(status.stdout())
          .contains("\njob jar " + jobJar.toAbsolutePath().normalize() + " (")
          .contains("): this build's\n")
          .contains("\ntask client pid " + taskClient.pid() + " running, this build's; its log: ");
      JsonNode jobs =
          FlinkSessionCluster.status(started)
              .orElseThrow()
              .overview()
              .orElseThrow()
              .path("jobs-finished");
      assertThat(jobs.asInt()).isEqualTo(1);
    } finally {
      MlproofCli.run(dir, "flink", "stop", "--dir", started.toString());
    }
    assertThat(ProcessIdentity.isRunning(taskClient)).isFalse();
    MlproofCli.Result status = MlproofCli.run(dir, "flink", "status", "--dir", started.toString());
    assertThat(status.exitCode()).isEqualTo(1);
    assertThat(status.stdout().strip()).isEqualTo("no Flink cluster recorded in " + started);
    // The main cluster saw none of it.
    assertThat(cluster.get("/jobs/overview").path("jobs")).hasSize(1);
  }

  /**
   * SIGINT to {@code dags run} while its task's job runs on the external cluster: the scheduler
   * kills the client and cancels the job through the JobManager's REST API, and waits for it, so
   * the job is CANCELED by the time the command has exited.
   */
  @Test
  @Order(4)
  void interruptingTheDagRunCancelsItsJobOnTheCluster() throws Exception {
    MlproofCli.Started run = dagRun("long_job", DS);
    String jobId =
        awaitRunningJob(run.process(), "mlproof-long_job-" + DS + "-extract_copies-try1");
    // Live progress on a cluster: the client's run() blocks until the job ends, so the counts
    // come from the JobManager's REST API while the job runs.
    StageProgress live =
        awaitLiveRecords(
            run.process(),
            dir.resolve("runs/_logs/long_job/" + DS + "/extract_copies/attempt=1.progress.json"));
    assertThat(live.state()).isEqualTo(StageProgress.State.RUNNING);
    assertThat(live.counters()).containsKeys("flink_records_in", "flink_records_out");
    run.interrupt();
    MlproofCli.Result result = run.await();
    Path logs = dir.resolve("runs/_logs/long_job/" + DS);
    Path taskLog = logs.resolve("extract_copies/attempt=1.log");
    String evidence =
        result.stderr()
            + "\n--- task log:\n"
            + Files.readString(taskLog)
            + "\n--- task client log:\n"
            + Files.readString(logs.resolve("_task-client.log"));
    // 130 = 128 + SIGINT: the JVM ran its shutdown hooks and exited as the signal asks.
    assertThat(result.exitCode()).as(evidence).isEqualTo(130);
    assertThat(cluster.get("/jobs/" + jobId).path("state").asText())
        .as(evidence)
        .isEqualTo("CANCELED");
    // Said on the terminal, and kept in the task's log.
    assertThat(result.stderr()).as(evidence).contains("cancelled Flink job " + jobId);
    assertThat(Files.readString(taskLog)).contains("cancelled Flink job " + jobId);
    assertThat(result.stderr()).as(evidence).doesNotContain("Exception");
  }

  /**
   * Reads a task's progress file until it shows records moved by its running Flink job (Flink
   * refreshes the counts every 10 s); returns that progress.
   */
  private static StageProgress awaitLiveRecords(Process client, Path file) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
    while (Instant.now().isBefore(deadline)) {
      assertThat(client.isAlive()).as("the DAG run ended while its job should run").isTrue();
      Optional<StageProgress> progress = StageProgress.read(file);
      if (progress.isPresent()
          && progress.get().counters().getOrDefault("flink_records_out", 0L) > 0) {
        return progress.get();
      }
      Thread.sleep(100);
    }
    throw new AssertionError(file + " showed no live Flink records within 5 minutes");
  }

  /** Polls the JobManager until a job of this name is RUNNING; returns its id. */
  private static String awaitRunningJob(Process client, String name) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
    while (Instant.now().isBefore(deadline)) {
      assertThat(client.isAlive())
          .as("the DAG run ended before its job ran on the cluster")
          .isTrue();
      for (JsonNode job : cluster.get("/jobs/overview").path("jobs")) {
        if (job.path("name").asText().equals(name)
            && job.path("state").asText().equals("RUNNING")) {
          return job.path("jid").asText();
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no job named " + name + " ran within 10 minutes");
  }

  /**
   * SIGKILL to a TaskManager that runs a task of the job: Flink restarts the job on the survivor
   * (fixed-delay restart strategy), the output is complete with no duplicate or missing event, and
   * the DAG run succeeds. The job's exception history proves the loss really hit the job.
   */
  @Test
  @Order(5)
  void aTaskManagerKilledMidJobIsSurvivedWithExactOutput() throws Exception {
    int jobsBefore = cluster.get("/jobs/overview").path("jobs").size();
    MlproofCli.Started run = dagRun(LATER_DS);
    Victim victim = awaitRunningTask(run.process(), jobsBefore);
    ProcessHandle taskManager = cluster.taskManagers().get(victim.taskManagerIndex());
    assertThat(taskManager.destroyForcibly()).isTrue();
    MlproofCli.Result result = run.await();
    assertThat(result.exitCode())
        .as(() -> result.stderr() + "\nthe job's failures: " + failures(victim.jobId()))
        .isZero();
    assertThat(ProcessIdentity.isRunning(taskManager)).isFalse();

    assertThat(eventIds(LATER_DS)).containsExactlyElementsOf(expectedEventIds(LATER_DS));
    // The DAG run has the job's result, so the Dispatcher's record of it is final.
    assertThat(
            cluster
                .get("/jobs/" + victim.jobId() + "/execution-result")
                .path("job-execution-result")
                .path("application-status")
                .asText())
        .isEqualTo("SUCCEEDED");
    assertThat(awaitEndedState(victim.jobId())).isEqualTo("FINISHED");
    JsonNode history =
        cluster
            .get("/jobs/" + victim.jobId() + "/exceptions")
            .path("exceptionHistory")
            .path("entries");
    assertThat(history.size()).as("failures the job recorded").isGreaterThanOrEqualTo(1);
    assertThat(cluster.get("/overview").path("taskmanagers").asInt()).isEqualTo(1);
  }

  /**
   * A job that fails on the cluster (its query raises an error on the TaskManager, after Flink's
   * restarts): the task fails with exit code 1 and a one-line error naming the failure's deepest
   * cause, nothing is committed, and the cluster records the job as FAILED. The stage waits for the
   * job itself (FlinkClusterWait), not through Flink's attached client.
   */
  @Test
  @Order(6)
  void aJobThatFailsOnTheClusterFailsItsTaskWithTheCause() throws Exception {
    Path failing =
        Files.writeString(
            dir.resolve("failing_rows.sql"),
            """
        SELECT e.event_id, e.user_id, e.event_type, e.event_at, e.amount,
          CASE WHEN e.event_id > 0 THEN error('deliberate failure') END AS boom
        FROM {{ table('events') }} AS e
        WHERE e.event_at >= {{ data_interval_start }} AND e.event_at < {{ data_interval_end }}
        """);
    Files.writeString(
        dags.resolve("fails_on_flink.yaml"),
        """
        dag_id: fails_on_flink
        schedule: "0 0 * * 1"
        tasks:
          - id: extract_failing
            pipeline: extract
            options:
              warehouse: "duckdb:%s"
              recordType: events
              template: "%s"
        """
            .formatted(warehouse, failing));

    MlproofCli.Result run = dagRun("fails_on_flink", DS).await();

    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(1);
    String log =
        Files.readString(
            dir.resolve("runs/_logs/fails_on_flink/" + DS + "/extract_failing/attempt=1.log"));
    // DuckDB's JDBC driver words the error (it does not pass error()'s text on); ours names it.
    assertThat(log)
        .containsPattern(
            "(?m)^mlproof: pipeline failed: Pipeline execution failed \\(java\\.sql\\.SQLException:"
                + " [^\\n]+\\)$");
    assertThat(dir.resolve("runs/fails_on_flink/" + DS + "/extract_failing/manifest.json"))
        .doesNotExist();
    JsonNode job = null;
    for (JsonNode candidate : cluster.get("/jobs/overview").path("jobs")) {
      if (candidate.path("name").asText().startsWith("mlproof-fails_on_flink-")) {
        job = candidate;
      }
    }
    assertThat(job).as("the failing job on the cluster").isNotNull();
    assertThat(job.path("state").asText()).isEqualTo("FAILED");
  }

  /**
   * The job's final state from its details. The REST API serves those from a cache that lives for
   * {@code web.refresh-interval} (3 s), and the test read them while the job ran, so they are
   * polled until the cache shows the end; the exception history comes from the same cache.
   */
  private static String awaitEndedState(String jobId) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
    while (Instant.now().isBefore(deadline)) {
      String state = cluster.get("/jobs/" + jobId).path("state").asText();
      if (List.of("FINISHED", "FAILED", "CANCELED").contains(state)) {
        return state;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the details of job " + jobId + " did not show its end in a minute");
  }

  /** The job's exception history as the JobManager reports it, for a failure's message. */
  private static String failures(String jobId) {
    try {
      return cluster.get("/jobs/" + jobId + "/exceptions").toPrettyString();
    } catch (IOException | InterruptedException | RuntimeException e) {
      return "(the JobManager did not answer: " + e + ")";
    }
  }

  private static MlproofCli.Started dagRun(String ds) throws IOException {
    return dagRun("on_flink", ds);
  }

  private static MlproofCli.Started dagRun(String dagId, String ds) throws IOException {
    return dagRun(dagId, ds, "--flink-master", cluster.master());
  }

  /** {@code dags run} of the DAG for {@code ds}, its tasks sent where {@code target} says. */
  private static MlproofCli.Started dagRun(String dagId, String ds, String... target)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "dags",
                "run",
                dagId,
                "--logical-date",
                ds,
                "--dags-folder",
                dags.toString(),
                "--run-root",
                dir.resolve("runs").toString(),
                "--state",
                dir.resolve("state.sqlite").toString()));
    args.addAll(List.of(target));
    return MlproofCli.start(dir, args.toArray(String[]::new));
  }

  /** A running task of the DAG's job and the TaskManager it runs on. */
  record Victim(String jobId, int taskManagerIndex) {}

  /**
   * Polls the JobManager until a new job has a subtask running on a TaskManager. Polling is how
   * Flink's REST API is read; the deadline only bounds a broken run.
   */
  private static Victim awaitRunningTask(Process client, int jobsBefore) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
    while (Instant.now().isBefore(deadline)) {
      assertThat(client.isAlive())
          .as("the DAG run ended before its job ran on the cluster")
          .isTrue();
      JsonNode jobs = cluster.get("/jobs/overview").path("jobs");
      for (JsonNode job : jobs) {
        if (jobs.size() <= jobsBefore || !job.path("state").asText().equals("RUNNING")) {
          continue;
        }
        String jobId = job.path("jid").asText();
        for (JsonNode vertex : cluster.get("/jobs/" + jobId).path("vertices")) {
          JsonNode subtasks =
              cluster
                  .get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText())
                  .path("subtasks");
          for (JsonNode subtask : subtasks) {
            String tm = subtask.path("taskmanager-id").asText();
            if (subtask.path("status").asText().equals("RUNNING") && tm.startsWith("tm-")) {
              return new Victim(jobId, Integer.parseInt(tm.substring(3)) - 1);
            }
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no task of the DAG's job ran within 10 minutes");
  }

  /** The event ids in the extract's records, sorted (duplicates kept, so that they show). */
  private static List<Long> eventIds(String ds) {
    String output = dir.resolve("runs/on_flink/" + ds + "/extract_events").toString();
    Manifest manifest = TaskOutput.read(output);
    OutputFile records =
        manifest.getFilesList().stream()
            .filter(f -> f.getName().equals("records"))
            .findFirst()
            .orElseThrow();
    List<Long> ids = new ArrayList<>();
    TfRecordFiles.read(
        output + "/" + records.getPath(),
        (bytes, length, file) ->
            ids.add(Event.parseFrom(Arrays.copyOf(bytes, length)).getEventId()));
    assertThat(records.getRecords()).isEqualTo(ids.size());
    ids.sort(Long::compare);
    return ids;
  }

  /**
   * The events of the extract's window (60 days before the interval, then the week), from DuckDB.
   */
  private static List<Long> expectedEventIds(String ds) throws SQLException {
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse, readOnly);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                """
            SELECT event_id FROM events
            WHERE event_at >= DATE '%1$s' - INTERVAL 60 DAY AND event_at < DATE '%1$s' + INTERVAL 7 DAY
            ORDER BY event_id"""
                    .formatted(ds))) {
      List<Long> ids = new ArrayList<>();
      while (r.next()) {
        ids.add(r.getLong(1));
      }
      assertThat(ids).hasSizeGreaterThan(10_000);
      return ids;
    }
  }
}
