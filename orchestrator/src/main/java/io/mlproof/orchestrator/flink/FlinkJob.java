package io.mlproof.orchestrator.flink;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlproof.orchestrator.core.RunnerKind;
import io.mlproof.orchestrator.core.RunnerSpec;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A pipeline task's job on a Flink cluster, known by the name the scheduler gives it (Beam's {@code
 * --jobName}). The Flink client is the task's forked JVM, and on a cluster the job outlives it:
 * when the client is killed ({@code dags run} interrupted, {@code execution_timeout}) the scheduler
 * cancels the job through the JobManager's REST API ({@code PATCH /jobs/<id>?mode=cancel}). A job
 * is found by its name rather than an id the client prints, because a client killed early has
 * printed nothing.
 *
 * @param master the JobManager's REST address, {@code host:port}
 * @param name the job's name, unique per DAG, logical date, task and try
 */
public record FlinkJob(String master, String name) {

  /** Beam's option for the Flink job's name. */
  public static final String NAME_OPTION = "jobName";

  /** States after which a job runs no more (Flink's globally terminal states, and SUSPENDED). */
  private static final Set<String> ENDED = Set.of("FINISHED", "FAILED", "CANCELED", "SUSPENDED");

  /** How long a cancelled job may take to reach CANCELED before the scheduler reports it. */
  public static final Duration CANCEL_WAIT = Duration.ofSeconds(60);

  /**
   * The job of one try of a pipeline task, if the runner submits to a cluster ({@code flinkMaster}
   * is {@code host:port}); Beam's embedded cluster ({@code [local]}) dies with the client.
   */
  public static Optional<FlinkJob> of(
      RunnerSpec runner, String dagId, Object logicalDate, String taskId, int tryNumber) {
    String master = runner.options().get(FlinkRunTarget.MASTER_OPTION);
    if (runner.kind() != RunnerKind.FLINK
        || master == null
        || master.equals(FlinkRunTarget.EMBEDDED)
        || master.equals(FlinkRunTarget.AUTO)) {
      return Optional.empty();
    }
    return Optional.of(
        new FlinkJob(
            master, "mlproof-" + dagId + "-" + logicalDate + "-" + taskId + "-try" + tryNumber));
  }

  /** {@code runner} with this job's name ({@code --jobName}), replacing one the options set. */
  public RunnerSpec named(RunnerSpec runner) {
    java.util.Map<String, String> options = new java.util.LinkedHashMap<>(runner.options());
    options.put(NAME_OPTION, name);
    return new RunnerSpec(runner.kind(), options, runner.jvmOptions());
  }

  /** The ids of this name's jobs that still run (a resubmitted try may have left more than one). */
  public List<String> running() throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    for (JsonNode job : FlinkSessionCluster.getJson(url("jobs/overview")).path("jobs")) {
      if (job.path("name").asText().equals(name) && !ENDED.contains(job.path("state").asText())) {
        ids.add(job.path("jid").asText());
      }
    }
    return ids;
  }

  /**
   * Cancels every running job of this name and waits, up to {@code wait}, until each has ended.
   * Returns the ids of the jobs it cancelled (none if the job had ended or was never submitted).
   *
   * @throws IOException if the JobManager does not answer or a job is still running at the deadline
   */
  public List<String> cancel(Duration wait) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(wait);
    List<String> ids = running();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    for (String id : ids) {
      URI uri = url("jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "?mode=cancel");
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(uri)
                  .timeout(Duration.ofSeconds(5))
                  .method("PATCH", HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      // 202: cancelling; anything else may mean it ended meanwhile, which the wait below tells.
      if (response.statusCode() / 100 != 2 && !ended(id)) {
        throw new IOException(
            "PATCH " + uri + ": HTTP " + response.statusCode() + " " + response.body());
      }
    }
    for (String id : ids) {
      while (!ended(id)) {
        if (Instant.now().isAfter(deadline)) {
          throw new IOException(
              "Flink job "
                  + id
                  + " ("
                  + name
                  + ") on "
                  + master
                  + " was cancelled but still runs after "
                  + wait.toSeconds()
                  + " s: see "
                  + url("jobs/" + id));
        }
        // Flink's REST API is polled: it has no call that waits for a state.
        Thread.sleep(100);
      }
    }
    return ids;
  }

  /**
   * {@link #cancel} for shutdown paths: never throws, and says what it did on {@code log} (a job
   * left running is named with the way to stop it by hand). Returns the ids it cancelled, or
   * nothing if it could not tell (the failure is on {@code log}).
   */
  public Optional<List<String>> cancelQuietly(java.util.function.Consumer<String> log) {
    // An interrupted caller still cancels (HttpClient refuses to send on an interrupted thread);
    // the interrupt is restored afterwards.
    boolean interrupted = Thread.interrupted();
    try {
      List<String> ids = cancel(CANCEL_WAIT);
      if (!ids.isEmpty()) {
        log.accept(
            "cancelled Flink job " + String.join(", ", ids) + " (" + name + ") on " + master);
      }
      return Optional.of(ids);
    } catch (IOException e) {
      log.accept(
          "could not cancel Flink job "
              + name
              + " on "
              + master
              + " ("
              + e.getMessage()
              + "): cancel it with 'curl -X PATCH http://"
              + master
              + "/jobs/<id>?mode=cancel'");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.accept(
          "interrupted while cancelling Flink job "
              + name
              + " on "
              + master
              + ": cancel it with 'curl -X PATCH http://"
              + master
              + "/jobs/<id>?mode=cancel'");
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return Optional.empty();
  }

  private boolean ended(String id) throws IOException, InterruptedException {
    return ENDED.contains(
        FlinkSessionCluster.getJson(url("jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8)))
            .path("state")
            .asText());
  }

  private URI url(String path) {
    return URI.create("http://" + master + "/" + path);
  }
}
