package io.mlproof.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.state.DagRunState;
import io.mlproof.orchestrator.testing.HarnessTest;
import io.mlproof.pipelines.core.StageProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The real extract pipeline, forked by the scheduler on the Direct runner over a real DuckDB file,
 * writes its progress file beside the try's log; its final counters count the input exactly.
 */
class PipelineProgressTest extends HarnessTest {

  @Test
  void aRealExtractWritesItsRowCountToTheProgressFileBesideItsLog() throws Exception {
    Path warehouse = tmp.resolve("w.duckdb");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE users (user_id BIGINT, signup_at TIMESTAMP, country VARCHAR, acquisition_channel VARCHAR)");
      // 1,234 users signed up before the interval's end (2024-01-15); 6 after it, which the
      // point-in-time query leaves out.
      s.execute(
          "INSERT INTO users SELECT range, TIMESTAMP '2023-01-01' + INTERVAL (range) MINUTE, 'DE', 'ads'"
              + " FROM range(1234)");
      s.execute(
          "INSERT INTO users SELECT 10000 + range, TIMESTAMP '2024-02-01', 'FR', 'seo' FROM range(6)");
    }
    Dag dag =
        h.dag(
            "extracting",
            """
        dag_id: extracting
        schedule: "0 0 * * 1"
        tasks:
          - id: users
            pipeline: extract
            options:
              warehouse: "duckdb:%s"
              recordType: users
        """
                .formatted(warehouse));

    RunResult result = h.run(dag, "2024-01-08");

    assertThat(result.state())
        .as(h.task(result, "users").message().orElse(""))
        .isEqualTo(DagRunState.SUCCESS);
    Path log = Path.of(h.task(result, "users").logFile().orElseThrow());
    Path file = log.resolveSibling("attempt=1.progress.json");
    StageProgress progress = StageProgress.read(file).orElseThrow();
    assertThat(progress.state()).isEqualTo(StageProgress.State.DONE);
    assertThat(progress.counters()).containsEntry("rows", 1_234L).containsEntry("records", 1_234L);
    try (Stream<Path> files = Files.list(log.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("attempt=1.log", "attempt=1.progress.json");
    }
  }
}
