package io.mlproof.orchestrator.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.run.RunResult;
import io.mlproof.orchestrator.state.DagRunState;
import io.mlproof.orchestrator.state.TaskState;
import io.mlproof.orchestrator.testing.HarnessTest;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code kind: report} in a real DAG run: written after a failure too, without hiding it. */
class ReportTaskTest extends HarnessTest {

  private Dag dag(String failing) {
    return h.dag(
        "reported",
        """
        dag_id: reported
        schedule: "0 0 * * 1"
        tasks:
          - id: ok
            kind: bash
            command: 'true'
          - id: maybe
            kind: bash
            command: %s
            retries: 0
            depends_on: [ok]
          - id: report
            kind: report
            depends_on: [ok, maybe]
            trigger_rule: all_done
        """
            .formatted(failing));
  }

  @Test
  void aReportAfterAFailedTaskLeavesTheRunFailedAndShowsTheFailure() throws IOException {
    RunResult result = h.run(dag("exit 3"), "2024-01-08");
    assertThat(h.task(result, "maybe").state()).isEqualTo(TaskState.FAILED);
    assertThat(h.task(result, "report").state()).isEqualTo(TaskState.SUCCESS);
    assertThat(result.state()).isEqualTo(DagRunState.FAILED);
    JsonNode report = new ObjectMapper().readTree(report("report.json").toFile());
    assertThat(report.path("alerts").toString()).contains("Task maybe failed", "exit code 3");
    assertThat(report.path("run").path("tasks").get(2).path("state").asText()).isEqualTo("running");
    assertThat(report("report.html"))
        .content()
        .contains("<section id=\"run\">", "data-task=\"maybe\"");
    assertThat(RunReport.of(result.tasks()))
        .map(RunReport.Written::html)
        .contains(report("report.html").toString());
  }

  @Test
  void aReportAfterSuccessLeavesTheRunSuccessful() {
    RunResult result = h.run(dag("'true'"), "2024-01-08");
    assertThat(result.state()).isEqualTo(DagRunState.SUCCESS);
    assertThat(report("manifest.json")).exists();
    assertThat(RunReport.of(result.tasks()).orElseThrow().headline())
        .isEqualTo("No model was evaluated in this run.");
  }

  private Path report(String file) {
    return Path.of(h.settings.runRoot(), "reported", "2024-01-08", "report", file);
  }
}
