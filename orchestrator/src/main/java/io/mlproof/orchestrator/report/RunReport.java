package io.mlproof.orchestrator.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.state.StateStore;
import io.mlproof.orchestrator.state.TaskInstance;
import io.mlproof.orchestrator.state.TaskState;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * Writes the report of one DAG run: {@code report.html} (the page) and {@code report.json} (the
 * same figures), committed as a task output like any stage's, so a half-written report never looks
 * complete.
 */
public final class RunReport {
  public static final String HTML = "report.html";
  public static final String JSON_FILE = "report.json";

  /** The manifest attribute holding the verdict in one line. */
  public static final String HEADLINE = "headline";

  private static final ObjectMapper JSON = new ObjectMapper();

  private RunReport() {}

  /** What was written. */
  public record Written(String html, String json, String headline) {}

  /**
   * Reads the run of {@code dag} at {@code date} (state file, outputs under {@code runRoot}) and
   * writes its report to {@code outputDir}.
   */
  public static Written write(
      Dag dag, LocalDate date, Path stateFile, String runRoot, String outputDir, String taskId) {
    RunData data;
    try (StateStore store = StateStore.open(stateFile)) {
      data = RunData.read(dag, date, store, runRoot);
    }
    return write(ReportFigures.of(data), dag.dagId(), date, outputDir, taskId);
  }

  static Written write(
      ObjectNode figures, String dagId, LocalDate date, String outputDir, String taskId) {
    String html = HtmlReport.render(figures);
    TaskOutput output = TaskOutput.begin(outputDir);
    try {
      write(output.staging(HTML), html, MimeTypes.TEXT);
      write(
          output.staging(JSON_FILE),
          JSON.writerWithDefaultPrettyPrinter().writeValueAsString(figures) + "\n",
          MimeTypes.TEXT);
      String headline = figures.path("headline").asText();
      output.commit(
          Manifest.newBuilder()
              .setPipeline("report")
              .setDagId(dagId)
              .setTaskId(taskId)
              .setLogicalDate(date.toString())
              // Not a Beam pipeline: the report task runs inside the scheduler.
              .setRunner("scheduler")
              .addFiles(OutputFile.newBuilder().setName("report_html").setPath(HTML).setRecords(1))
              .addFiles(
                  OutputFile.newBuilder().setName("report_json").setPath(JSON_FILE).setRecords(1))
              .putAttributes(HEADLINE, headline)
              .build());
      String dir = output.directory().endsWith("/") ? output.directory() : output.directory() + "/";
      return new Written(dir + HTML, dir + JSON_FILE, headline);
    } catch (IOException | RuntimeException e) {
      output.abort();
      throw e instanceof RuntimeException r
          ? r
          : new RunFailedException(
              "cannot write the report to " + outputDir + ": " + e.getMessage(), e);
    }
  }

  /** The report a finished run wrote (its first complete report output), if any. */
  public static Optional<Written> of(List<TaskInstance> tasks) {
    for (TaskInstance ti : tasks) {
      if (ti.state() != TaskState.SUCCESS) {
        continue;
      }
      try {
        Manifest m = TaskOutput.read(ti.output());
        if (m.getPipeline().equals("report")) {
          String dir = ti.output().endsWith("/") ? ti.output() : ti.output() + "/";
          return Optional.of(
              new Written(dir + HTML, dir + JSON_FILE, m.getAttributesOrDefault(HEADLINE, "")));
        }
      } catch (InvalidInputException e) {
        // not a complete output (cleared since): no report there
      }
    }
    return Optional.empty();
  }

  private static void write(String path, String text, String mime) throws IOException {
    try (WritableByteChannel channel =
        FileSystems.create(FileSystems.matchNewResource(path, false), mime)) {
      channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }
  }
}
