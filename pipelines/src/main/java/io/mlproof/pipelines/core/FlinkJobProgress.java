package io.mlproof.pipelines.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Live record counts of a pipeline's job on a Flink cluster, read from the JobManager's REST API.
 * Flink's attached batch {@code run()} returns only when the job has ended, so Beam's metrics
 * cannot be asked mid-run; the JobManager's per-vertex I/O metrics can ({@code GET /jobs/<id>},
 * which Flink refreshes every {@code metrics.fetcher.update-interval}, 10 s by default).
 *
 * @param rest the JobManager's REST address, {@code http://host:port}
 * @param jobName the job's name: Beam submits the job under {@code --jobName}
 */
record FlinkJobProgress(URI rest, String jobName) {

  /** Records the job's vertices received from other vertices, summed over the vertices. */
  static final String RECORDS_IN = "flink_records_in";

  /** Records the job's vertices sent to other vertices, summed over the vertices. */
  static final String RECORDS_OUT = "flink_records_out";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * The job to watch, when {@code options} submit to a Flink cluster by address. Beam's embedded
   * cluster ({@code [local]}, {@code [auto]}, {@code [collection]}) has no REST endpoint.
   */
  static Optional<FlinkJobProgress> of(PipelineOptions options) {
    if (options.getRunner() != FlinkRunner.class) {
      return Optional.empty();
    }
    String master = options.as(FlinkPipelineOptions.class).getFlinkMaster();
    if (master == null || master.isBlank() || master.startsWith("[")) {
      return Optional.empty();
    }
    String base = master.contains("://") ? master : "http://" + master;
    return Optional.of(
        new FlinkJobProgress(
            URI.create(base.endsWith("/") ? base : base + "/"), options.getJobName()));
  }

  /** The job's record counts so far; none before the JobManager lists the job. */
  Optional<Map<String, Long>> poll() throws IOException, InterruptedException {
    Optional<String> id = newestJob(get("jobs/overview"), jobName);
    if (id.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(records(get("jobs/" + URLEncoder.encode(id.get(), StandardCharsets.UTF_8))));
  }

  /**
   * The id of the newest job named {@code name} in a {@code GET /jobs/overview} answer (a retried
   * task may have left an older one).
   */
  static Optional<String> newestJob(JsonNode overview, String name) {
    String newest = null;
    long newestStart = Long.MIN_VALUE;
    for (JsonNode job : overview.path("jobs")) {
      long start = job.path("start-time").asLong(Long.MIN_VALUE);
      if (job.path("name").asText().equals(name) && (newest == null || start > newestStart)) {
        newest = job.path("jid").asText();
        newestStart = start;
      }
    }
    return Optional.ofNullable(newest);
  }

  /**
   * {@link #RECORDS_IN} and {@link #RECORDS_OUT} of a {@code GET /jobs/<id>} answer: the vertices'
   * {@code read-records} and {@code write-records}, summed. A record that crosses three vertices
   * counts three times: the figures show that the job moves, not how many elements it has.
   */
  static Map<String, Long> records(JsonNode job) {
    long in = 0;
    long out = 0;
    for (JsonNode vertex : job.path("vertices")) {
      in += vertex.path("metrics").path("read-records").asLong(0);
      out += vertex.path("metrics").path("write-records").asLong(0);
    }
    Map<String, Long> records = new TreeMap<>();
    records.put(RECORDS_IN, in);
    records.put(RECORDS_OUT, out);
    return records;
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(rest.resolve(path)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + rest.resolve(path) + ": HTTP " + response.statusCode());
    }
    return JSON.readTree(response.body());
  }
}
