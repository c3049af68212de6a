package io.mlproof.orchestrator.task.kinds;

import io.mlproof.orchestrator.airflow.AirflowContext;
import io.mlproof.orchestrator.airflow.AirflowOperator;
import io.mlproof.orchestrator.airflow.Py;
import io.mlproof.orchestrator.dag.TaskConfig;
import io.mlproof.orchestrator.dag.TaskContext;
import io.mlproof.orchestrator.dag.TaskKind;
import io.mlproof.orchestrator.dag.TaskResult;
import io.mlproof.orchestrator.dag.TaskSpec;
import io.mlproof.orchestrator.process.Processes;
import io.mlproof.orchestrator.task.ProcessSupervisor;
import io.mlproof.orchestrator.template.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code kind: bash}: a shell command (Airflow's BashOperator), for glue. Exit code 0 succeeds, 99
 * skips (Airflow's {@code skip_on_exit_code}), anything else fails. The command sees its output
 * directory as {@code $MLPROOF_OUTPUT}.
 */
public final class BashTaskKind implements TaskKind {

  /** Airflow's BashOperator default {@code skip_on_exit_code}. */
  public static final int SKIP_EXIT_CODE = 99;

  @Override
  public String name() {
    return "bash";
  }

  @Override
  public Map<String, String> keys() {
    return Map.of(
        "command", "the bash command (a template; values are shell-quoted unless {{ x | raw }})",
        "env", "environment variables added to the command's, name: value (templates)");
  }

  @Override
  public TaskSpec parse(TaskConfig config) {
    Optional<Template> command = config.shellTemplate("command", true);
    Map<String, Template> env = config.templates("env");
    return command.map(c -> new BashTask(c, env)).orElse(null);
  }

  record BashTask(Template command, Map<String, Template> env) implements TaskSpec {

    @Override
    public List<Template> templates() {
      List<Template> all = new ArrayList<>(List.of(command));
      all.addAll(env.values());
      return all;
    }

    private Map<String, String> environment(TaskContext context) {
      Map<String, String> vars = new LinkedHashMap<>();
      vars.put("MLPROOF_OUTPUT", context.outputDir());
      env.forEach((name, value) -> vars.put(name, context.render(value)));
      return vars;
    }

    @Override
    public List<String> describe(TaskContext context) {
      List<String> lines = new ArrayList<>();
      environment(context).forEach((k, v) -> lines.add(k + "=" + v));
      lines.add(context.render(command));
      return lines;
    }

    @Override
    public TaskResult execute(TaskContext context) throws InterruptedException {
      String output = context.outputDir();
      if (!output.contains("://")) {
        try {
          Files.createDirectories(Path.of(output));
        } catch (IOException e) {
          return TaskResult.failed("cannot create " + output + ": " + e.getMessage());
        }
      }
      String script = context.render(command);
      if (script.indexOf('\0') >= 0
          || environment(context).values().stream().anyMatch(v -> v.indexOf('\0') >= 0)) {
        // No process can take it, quoted or not: a param value, as a rule.
        return TaskResult.failedNoRetry(
            "the command or its env holds a NUL character (from a param?), which no"
                + " process argument can carry: remove it");
      }
      ProcessSupervisor.Exit exit =
          ProcessSupervisor.run(
              List.of("bash", "-c", script),
              environment(context),
              context.logFile(),
              context.deadline(),
              context.watcher());
      if (exit.timedOut()) {
        return TaskResult.failed(
            "timed out (execution_timeout); the command's processes were killed");
      }
      if (exit.code() == 0) {
        return TaskResult.success();
      }
      if (exit.code() == SKIP_EXIT_CODE) {
        return TaskResult.skipped("exit code " + SKIP_EXIT_CODE + " (skip)");
      }
      return TaskResult.failed(
          "exit code " + exit.code() + ": " + Processes.lastLine(context.logFile()));
    }

    @Override
    public AirflowOperator toAirflow(AirflowContext context) {
      Map<String, String> vars = new LinkedHashMap<>();
      vars.put("MLPROOF_OUTPUT", context.outputDir());
      env.forEach((name, value) -> vars.put(name, context.string(value)));
      Map<String, String> kwargs = new LinkedHashMap<>();
      kwargs.put("bash_command", context.string(command));
      kwargs.put("env", Py.dict(vars, "        "));
      kwargs.put("append_env", Py.bool(true));
      return new AirflowOperator("airflow.operators.bash", "BashOperator", kwargs);
    }
  }
}
