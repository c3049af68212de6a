package io.mlproof.pipelines.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.Map;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * Which runs are watched through Flink's REST API, and the figures taken from its answers. The
 * answers below follow Flink 1.19's REST schema ({@code JobsOverview}, {@code JobDetailsInfo}) with
 * numbers chosen by hand; FlinkClusterIT reads a real JobManager while a job runs.
 */
class FlinkJobProgressTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static FlinkPipelineOptions flink(String master) {
    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    options.setRunner(FlinkRunner.class);
    options.setFlinkMaster(master);
    options.setJobName("mlproof-demo-2024-06-03-extract-try1");
    return options;
  }

  @Test
  void aJobOnAClusterAddressIsWatchedUnderItsJobName() {
    assertThat(FlinkJobProgress.of(flink("localhost:8081")))
        .contains(
            new FlinkJobProgress(
                URI.create("http://localhost:8081/"), "mlproof-demo-2024-06-03-extract-try1"));
    assertThat(FlinkJobProgress.of(flink("http://jm.internal:8081/")).orElseThrow().rest())
        .isEqualTo(URI.create("http://jm.internal:8081/"));
  }

  @Test
  void theEmbeddedClusterAndTheDirectRunnerHaveNoRestApiToWatch() {
    assertThat(FlinkJobProgress.of(flink("[local]"))).isEmpty();
    assertThat(FlinkJobProgress.of(flink("[auto]"))).isEmpty();
    FlinkPipelineOptions direct = flink("localhost:8081");
    direct.setRunner(DirectRunner.class);
    assertThat(FlinkJobProgress.of(direct)).isEmpty();
  }

  @Test
  void theNewestJobOfTheNameIsWatched() throws Exception {
    JsonNode overview =
        JSON.readTree(
            """
            {"jobs": [
              {"jid": "a1", "name": "mlproof-x-try1", "state": "FAILED", "start-time": 1000},
              {"jid": "b2", "name": "mlproof-x-try1", "state": "RUNNING", "start-time": 5000},
              {"jid": "c3", "name": "another", "state": "RUNNING", "start-time": 9000}
            ]}
            """);
    assertThat(FlinkJobProgress.newestJob(overview, "mlproof-x-try1")).contains("b2");
    assertThat(FlinkJobProgress.newestJob(overview, "not-submitted-yet")).isEmpty();
  }

  @Test
  void recordsAreTheVerticesReadAndWrittenRecordsSummed() throws Exception {
    // Source 0 in / 1,200 out; a shuffle 1,200 in / 300 out; a sink that has received 250 of the
    // 300 so far: in 0 + 1,200 + 250, out 1,200 + 300 + 0.
    JsonNode job =
        JSON.readTree(
            """
            {"jid": "b2", "name": "mlproof-x-try1", "state": "RUNNING", "vertices": [
              {"id": "v1", "name": "DataSource", "metrics":
                {"read-records": 0, "read-records-complete": true,
                 "write-records": 1200, "write-records-complete": true}},
              {"id": "v2", "name": "GroupByKey", "metrics":
                {"read-records": 1200, "read-records-complete": true,
                 "write-records": 300, "write-records-complete": true}},
              {"id": "v3", "name": "DataSink", "metrics":
                {"read-records": 250, "read-records-complete": false,
                 "write-records": 0, "write-records-complete": false}}
            ]}
            """);
    assertThat(FlinkJobProgress.records(job))
        .isEqualTo(
            Map.of(FlinkJobProgress.RECORDS_IN, 1_450L, FlinkJobProgress.RECORDS_OUT, 1_500L));
  }
}
