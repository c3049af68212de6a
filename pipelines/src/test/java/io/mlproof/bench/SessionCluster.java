package io.mlproof.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * What the benchmarks read from a running Flink session cluster ({@code mlproof flink start
 * --job-jar}) they submit to: the job's own duration as the JobManager timed it, which leaves out
 * the client's planning and submission.
 */
final class SessionCluster {
  /** The cluster's REST address, host:port, as {@code mlproof flink start} prints it. */
  static final String MASTER_ENV = "MLPROOF_BENCH_FLINK_MASTER";

  /** What jobs stage: the cluster's {@code nothing-to-stage.jar}, its classes are on its path. */
  static final String STAGE_ENV = "MLPROOF_BENCH_FILES_TO_STAGE";

  private SessionCluster() {}

  /** The duration of the cluster's most recently started job, from its REST API. */
  static long lastJobMillis(String master) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://" + master + "/jobs/overview")).build(),
                HttpResponse.BodyHandlers.ofString());
    JsonNode last = null;
    for (JsonNode job : new ObjectMapper().readTree(response.body()).path("jobs")) {
      if (last == null || job.path("start-time").asLong() > last.path("start-time").asLong()) {
        last = job;
      }
    }
    if (last == null) {
      throw new IllegalStateException("the cluster at " + master + " ran no job");
    }
    return last.path("duration").asLong();
  }
}
