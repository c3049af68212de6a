package io.mlproof.orchestrator.task.kinds;

import io.mlproof.orchestrator.airflow.AirflowContext;
import io.mlproof.orchestrator.airflow.AirflowOperator;
import io.mlproof.orchestrator.airflow.Py;
import io.mlproof.orchestrator.dag.TaskConfig;
import io.mlproof.orchestrator.dag.TaskContext;
import io.mlproof.orchestrator.dag.TaskKind;
import io.mlproof.orchestrator.dag.TaskResult;
import io.mlproof.orchestrator.dag.TaskSpec;
import io.mlproof.orchestrator.report.RunReport;
import io.mlproof.orchestrator.template.Template;
import io.mlproof.pipelines.core.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code kind: report}: writes the run report ({@code report.html} and {@code report.json}) of the
 * DAG run it is part of, from the task outputs and the run's state. It runs inside the scheduler
 * (no forked JVM: it reads files and draws charts). Put it last with {@code trigger_rule:
 * all_done}, so a failed run gets its report too; it only observes the run, so its own success
 * never hides an upstream failure (see {@link TaskSpec#observesRun()}).
 */
public final class ReportTaskKind implements TaskKind {

  @Override
  public String name() {
    return "report";
  }

  @Override
  public Map<String, String> keys() {
    return Map.of();
  }

  @Override
  public TaskSpec parse(TaskConfig config) {
    return new ReportTask();
  }

  record ReportTask() implements TaskSpec {

    @Override
    public List<Template> templates() {
      return List.of();
    }

    @Override
    public List<String> describe(TaskContext context) {
      return List.of(
          "report of "
              + context.dagId()
              + " "
              + context.render().dates().ds()
              + " (state "
              + context.stateFile()
              + ")");
    }

    @Override
    public boolean observesRun() {
      return true;
    }

    @Override
    public TaskResult execute(TaskContext context) {
      String log;
      TaskResult result;
      try {
        RunReport.Written written =
            RunReport.write(
                context.dag(),
                context.render().dates().ds(),
                context.stateFile(),
                context.render().runRoot(),
                context.outputDir(),
                context.taskId());
        log = written.headline() + "\nreport: " + written.html() + "\n";
        result = TaskResult.success();
      } catch (InvalidInputException e) {
        log = e.getMessage() + "\n";
        result = TaskResult.failedNoRetry(e.getMessage());
      } catch (RuntimeException e) {
        log = e + "\n";
        result = TaskResult.failed(e.toString());
      }
      try {
        Files.createDirectories(context.logFile().toAbsolutePath().getParent());
        Files.writeString(context.logFile(), log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return TaskResult.failed(
            "cannot write the log " + context.logFile() + ": " + e.getMessage());
      }
      return result;
    }

    @Override
    public boolean outputComplete(String outputDir) {
      return PipelineTaskKind.committed(outputDir);
    }

    @Override
    public void invalidateOutput(String outputDir) throws IOException {
      PipelineTaskKind.invalidate(outputDir);
    }

    /**
     * Under Airflow: {@code mlproof report} from the jar, reading the DAG file and the outputs
     * under the run root (task states come from the outputs there: Airflow keeps its own state).
     */
    @Override
    public AirflowOperator toAirflow(AirflowContext context) {
      Map<String, String> kwargs = new LinkedHashMap<>();
      kwargs.put(
          "bash_command",
          Py.concat(
              List.of(
                  Py.str("java -cp "),
                  context.jar(),
                  Py.str(
                      " io.mlproof.cli.Main report "
                          + context.dagId()
                          + " --logical-date {{ ds }}"
                          + " --dags-folder {{ var.value.get('mlproof_dags_folder', 'dags') }} --run-root "),
                  "RUN_ROOT",
                  Py.str(" --state {{ var.value.get('mlproof_state', 'build/state.sqlite') }}"))));
      return new AirflowOperator("airflow.operators.bash", "BashOperator", kwargs);
    }
  }
}
