package io.mlproof.orchestrator.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.dag.TaskDef;
import io.mlproof.orchestrator.template.RenderContext;
import io.mlproof.orchestrator.template.Template;
import io.mlproof.orchestrator.testing.DagFolder;
import io.mlproof.pipelines.core.InvalidInputException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported Airflow file compiles, has the YAML's tasks, edges, retries and trigger rules, and
 * its templates render under Jinja to what they render to here.
 */
class AirflowExportTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A label param with shell syntax: bash commands must quote it the same way here and in Airflow.
   */
  private static final String LABEL = "churn; it's $HOME";

  /**
   * Debian's interpreter, which bin/install-test-deps gives jinja2 and dateutil (a python3 earlier
   * on PATH, e.g. pyenv's, may lack them); -Dmlproof.python3=... for another one.
   */
  private static final String PYTHON3 = System.getProperty("mlproof.python3", "/usr/bin/python3");

  @TempDir Path tmp;

  private static final String DAG =
      """
      dag_id: exported
      description: every kind of task
      schedule: "@weekly"
      catchup: true
      params:
        days: 28
        rate: {type: number, default: 0.5}
        cutoff: {type: date, default: "2024-02-01"}
        label: churn
      tasks:
        - id: wait
          kind: file_sensor
          path: "{{ run_root }}/inbox/{{ ds_nodash }}.done"
          poke_interval: 30s
          timeout: 2h
          soft_fail: true
        - id: extract
          pipeline: touch
          depends_on: [wait]
          retries: 3
          execution_timeout: 1h
          options:
            count: 4
        - id: features
          pipeline: touch
          depends_on: [extract]
          options:
            input: "{{ task_output('extract') }}"
        - id: compare
          kind: bash
          depends_on: [features, extract]
          trigger_rule: all_done
          env:
            PREVIOUS: "{{ prev_task_output('features') }}"
          command: "diff {{ task_output('features') }}/data.txt $PREVIOUS/data.txt || echo {{ params.label }} {{ ds | raw }}"
        - id: import
          kind: empty
          depends_on: [compare]
          trigger_rule: one_failed
      """;

  private Dag dag() {
    return DagFolder.withDefaults(tmp.resolve("dags")).write("exported.yaml", DAG).load("exported");
  }

  @Test
  void exportedFileCompilesAndHasTheSameGraph() throws Exception {
    Dag dag = dag();
    Path file = tmp.resolve("exported_dag.py");
    Files.writeString(
        file,
        AirflowExporter.export(dag, AirflowExporter.Defaults.STANDARD),
        StandardCharsets.UTF_8);

    Python compile = python("-m", "py_compile", file.toString());
    assertThat(compile.exitCode()).as(compile.output()).isZero();

    Python graph = python(resource("graph.py").toString(), file.toString());
    assertThat(graph.exitCode()).as(graph.output()).isZero();
    JsonNode parsed = JSON.readTree(graph.output());

    assertThat(parsed.get("dag").get("dag_id").asText()).isEqualTo("'exported'");
    assertThat(parsed.get("dag").get("schedule").asText()).isEqualTo("'@weekly'");
    assertThat(parsed.get("dag").get("catchup").asText()).isEqualTo("True");
    assertThat(parsed.get("dag").get("start_date").asText())
        .isEqualTo("datetime(2024, 1, 1, tzinfo=timezone.utc)");

    // Tasks and edges, worked out from the YAML above (not from the exporter).
    Map<String, String> operators = new TreeMap<>();
    parsed
        .get("tasks")
        .fields()
        .forEachRemaining(e -> operators.put(e.getKey(), e.getValue().get("operator").asText()));
    assertThat(operators)
        .isEqualTo(
            Map.of(
                "wait",
                "FileSensor",
                "extract",
                "BeamRunJavaPipelineOperator",
                "features",
                "BeamRunJavaPipelineOperator",
                "compare",
                "BashOperator",
                "import",
                "EmptyOperator"));
    List<String> edges = new ArrayList<>();
    parsed.get("edges").forEach(e -> edges.add(e.get(0).asText() + ">" + e.get(1).asText()));
    assertThat(edges)
        .containsExactlyInAnyOrder(
            "wait>extract",
            "extract>features",
            "features>compare",
            "extract>compare",
            "compare>import");
    // And the same as the loaded DAG's dependencies.
    List<String> yamlEdges =
        dag.tasks().stream()
            .flatMap(t -> t.dependsOn().stream().map(u -> u + ">" + t.id()))
            .collect(Collectors.toList());
    assertThat(edges).containsExactlyInAnyOrderElementsOf(yamlEdges);
    for (TaskDef task : dag.tasks()) {
      JsonNode t = parsed.get("tasks").get(task.id());
      assertThat(t.get("retries").asInt()).as(task.id()).isEqualTo(task.retryPolicy().retries());
      assertThat(t.get("trigger_rule").asText())
          .as(task.id())
          .isEqualTo(task.triggerRule().yamlName());
    }
    assertThat(parsed.get("tasks").get("extract").get("retries").asInt()).isEqualTo(3);
    assertThat(parsed.get("tasks").get("extract").get("pipeline").asText()).isEqualTo("touch");
    assertThat(parsed.get("tasks").get("import").get("trigger_rule").asText())
        .isEqualTo("one_failed");
    String source = Files.readString(file);
    assertThat(source)
        .contains(
            "from airflow.providers.apache.beam.operators.beam import BeamRunJavaPipelineOperator")
        .contains("job_class=\"io.mlproof.cli.PipelineMain\"")
        .contains("runner=\"DirectRunner\"")
        .contains("\"targetParallelism\": \"1\"")
        .contains("execution_timeout=timedelta(seconds=3600)")
        .contains("\"cutoff\": Param(\"2024-02-01\", type=\"string\", format=\"date\")")
        .contains("\"days\": Param(28, type=\"integer\")")
        .contains("import_task = EmptyOperator(");
  }

  /**
   * A flink DAG: the Airflow worker runs the full jar as the Flink client, stages the bundled jar
   * without Flink on the cluster, and submits to the master in an Airflow Variable.
   */
  @Test
  void aFlinkDagStagesTheBundledJarAndSubmitsToTheMasterVariable() throws Exception {
    Dag dag =
        DagFolder.withDefaults(tmp.resolve("flinkdags"))
            .write(
                "on_flink.yaml",
                """
        dag_id: on_flink
        schedule: "@weekly"
        runner:
          name: flink
          options:
            flinkMaster: "jm.prod:8081"
        tasks:
          - id: extract
            pipeline: touch
        """)
            .load("on_flink");
    Path file = tmp.resolve("on_flink_dag.py");
    Files.writeString(
        file,
        AirflowExporter.export(
            dag, new AirflowExporter.Defaults("/opt/x/mlproof.jar", "gs://b/runs")),
        StandardCharsets.UTF_8);
    Python compile = python("-m", "py_compile", file.toString());
    assertThat(compile.exitCode()).as(compile.output()).isZero();
    assertThat(Files.readString(file))
        .contains(
            "MLPROOF_FLINK_JAR = \"{{ var.value.get('mlproof_flink_jar', '/opt/x/mlproof-flink.jar') }}\"")
        .contains("FLINK_MASTER = \"{{ var.value.get('mlproof_flink_master', 'jm.prod:8081') }}\"")
        .contains("jar=MLPROOF_JAR")
        .contains("runner=\"FlinkRunner\"")
        .contains("\"flinkMaster\": FLINK_MASTER")
        .contains("\"filesToStage\": MLPROOF_FLINK_JAR");
  }

  @Test
  void templatesRenderUnderJinjaAsTheyDoHere() throws Exception {
    Python modules = python("-c", "import jinja2, dateutil");
    assertThat(modules.exitCode())
        .as(
            PYTHON3
                + " cannot import jinja2/dateutil (run bin/install-test-deps): "
                + modules.output())
        .isZero();
    Dag weekly = dag();
    Dag monthly =
        DagFolder.withDefaults(tmp.resolve("monthly"))
            .write(
                "monthly.yaml",
                DAG.replace("exported", "monthly").replace("\"@weekly\"", "\"@monthly\""))
            .load("monthly");
    for (Dag dag : List.of(weekly, monthly)) {
      LocalDate date = dag.schedule().nextAfter(LocalDate.parse("2024-02-20"));
      RenderContext here =
          new RenderContext(
              dag.dagId(),
              dag.schedule().datesFor(date),
              "gs://bucket/runs",
              Map.of(
                  "days",
                  28L,
                  "rate",
                  new java.math.BigDecimal("0.5"),
                  "cutoff",
                  LocalDate.parse("2024-02-01"),
                  "label",
                  LABEL));
      List<Template> templates =
          dag.tasks().stream().flatMap(t -> t.spec().templates().stream()).toList();
      List<Template> all = new ArrayList<>(templates);
      all.add(
          template(
              dag,
              "{{ prev_ds }} {{ next_ds }} {{ data_interval_start }} {{ data_interval_end }}"
                  + " {{ macros.ds_add(ds, 3) }} {{ macros.ds_add(prev_ds, -1) }} {{ macros.ds_add(next_ds, 1) }}"
                  + " {{ params.days }} {{ params.label }} {{ params.cutoff }} {{ ds }}/{{ ds_nodash }}"));
      ObjectNode request = JSON.createObjectNode();
      request.put("logical_date", date.toString());
      request.put("interval_end", dag.schedule().nextAfter(date).toString());
      request.put("run_root", "gs://bucket/runs");
      ObjectNode params = request.putObject("params");
      params.put("days", 28).put("rate", 0.5).put("cutoff", "2024-02-01").put("label", LABEL);
      ArrayNode expressions = request.putArray("expressions");
      all.forEach(t -> expressions.add(AirflowExporter.pythonFor(dag, t)));
      Python render =
          python(List.of(resource("render.py").toString()), JSON.writeValueAsString(request));
      assertThat(render.exitCode()).as(render.output()).isZero();
      JsonNode rendered = JSON.readTree(render.output());
      for (int i = 0; i < all.size(); i++) {
        assertThat(rendered.get(i).asText())
            .as(dag.dagId() + ": " + all.get(i).source())
            .isEqualTo(all.get(i).render(here));
      }
    }
  }

  @Test
  void prevDsNeedsAScheduleWithAFixedPeriod() {
    Dag dag =
        DagFolder.withDefaults(tmp.resolve("weekdays"))
            .write(
                "weekdays.yaml",
                """
        dag_id: weekdays
        schedule: "0 0 * * 1-5"
        tasks:
          - id: a
            kind: bash
            command: echo {{ prev_ds }}
        """)
            .load("weekdays");
    assertThatThrownBy(() -> AirflowExporter.export(dag, AirflowExporter.Defaults.STANDARD))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageEndingWith(
            ": cannot export weekdays to Airflow: 'echo {{ prev_ds }}' needs the previous fire"
                + " date, which Airflow only gives as a deprecated variable, and the schedule '0 0 * * 1-5' has no"
                + " fixed period to compute it from (use @daily, @weekly, @monthly or a cron with one weekday)");
  }

  private static Template template(Dag dag, String text) throws Exception {
    return io.mlproof.orchestrator.template.TemplateParser.parse(
        text, o -> io.mlproof.orchestrator.core.Location.of("t"));
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(AirflowExportTest.class.getResource("/airflow/" + name).toURI());
  }

  record Python(int exitCode, String output) {}

  private static Python python(String... args) throws IOException, InterruptedException {
    return python(List.of(args), "");
  }

  private static Python python(List<String> args, String stdin)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(PYTHON3));
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Python(p.waitFor(), out);
  }
}
