package io.mlproof.orchestrator.task.kinds;

import io.mlproof.orchestrator.airflow.AirflowContext;
import io.mlproof.orchestrator.airflow.AirflowOperator;
import io.mlproof.orchestrator.airflow.Py;
import io.mlproof.orchestrator.dag.TaskConfig;
import io.mlproof.orchestrator.dag.TaskContext;
import io.mlproof.orchestrator.dag.TaskKind;
import io.mlproof.orchestrator.dag.TaskResult;
import io.mlproof.orchestrator.dag.TaskSpec;
import io.mlproof.orchestrator.flink.FlinkJob;
import io.mlproof.orchestrator.flink.FlinkRunTarget;
import io.mlproof.orchestrator.load.Suggest;
import io.mlproof.orchestrator.process.Processes;
import io.mlproof.orchestrator.task.OptionCatalog;
import io.mlproof.orchestrator.task.ProcessSupervisor;
import io.mlproof.orchestrator.task.TaskClient;
import io.mlproof.orchestrator.template.Template;
import io.mlproof.pipelines.core.ExitCodes;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.LogicalDateOptions;
import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.StageProgress;
import io.mlproof.pipelines.core.TaskOptions;
import io.mlproof.pipelines.core.TaskOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@code kind: pipeline} (the default): runs an mlproof pipeline in a forked JVM. Its options are
 * checked against the pipeline's options interface when the DAG loads; the scheduler adds the
 * output directory, the task's identity, the run's dates and params, and the runner's options.
 * Success needs exit code 0 and a committed output ({@code manifest.json}); exit code 2 (invalid
 * input) is not retried.
 */
public final class PipelineTaskKind implements TaskKind {

  /** Options the scheduler sets; a task may not. */
  public static final Set<String> SCHEDULER_OPTIONS =
      Set.of(
          "output",
          "dagId",
          "taskId",
          "logicalDate",
          "dataIntervalStart",
          "dataIntervalEnd",
          "params",
          "runner");

  /**
   * The main class of the exported Airflow tasks: takes {@code --pipeline=NAME} and Beam options.
   */
  public static final String AIRFLOW_JOB_CLASS = "io.mlproof.cli.PipelineMain";

  @Override
  public String name() {
    return "pipeline";
  }

  @Override
  public Map<String, String> keys() {
    return Map.of(
        "pipeline", "the registered pipeline to run (extract, features, train, ...)",
        "options", "the pipeline's options, name: value (values are templates)");
  }

  @Override
  public TaskSpec parse(TaskConfig config) {
    Optional<String> name = config.string("pipeline", true);
    List<TaskConfig.Option> options = config.options("options");
    if (name.isEmpty()) {
      return null;
    }
    MlproofPipeline pipeline = config.pipelines().get(name.get());
    if (pipeline == null) {
      config.error(
          config.locationOf("pipeline"),
          "task '"
              + config.taskId()
              + "': unknown pipeline '"
              + name.get()
              + "'"
              + Suggest.didYouMean(name.get(), config.pipelines().keySet())
              + (config.pipelines().isEmpty()
                  ? ": no pipeline is registered (check the class path)"
                  : ": registered pipelines are "
                      + String.join(", ", config.pipelines().keySet())));
      return null;
    }
    if (!TaskOptions.class.isAssignableFrom(pipeline.optionsClass())) {
      config.error(
          config.locationOf("pipeline"),
          "pipeline '"
              + name.get()
              + "' cannot run in a DAG: its"
              + " options interface "
              + pipeline.optionsClass().getSimpleName()
              + " does not extend TaskOptions"
              + " (--output, --dagId, --taskId)");
      return null;
    }
    OptionCatalog catalog = OptionCatalog.of(pipeline.optionsClass());
    checkOptions(config, name.get(), catalog, options);
    boolean logicalDates = LogicalDateOptions.class.isAssignableFrom(pipeline.optionsClass());
    Set<String> sqlOptions =
        options.stream()
            .map(TaskConfig.Option::name)
            .filter(n -> catalog.option(n).map(OptionCatalog.Option::sql).orElse(false))
            .collect(Collectors.toUnmodifiableSet());
    return new PipelineTask(name.get(), logicalDates, options, sqlOptions);
  }

  private static void checkOptions(
      TaskConfig config, String pipeline, OptionCatalog catalog, List<TaskConfig.Option> options) {
    Set<String> given = new HashSet<>();
    for (TaskConfig.Option option : options) {
      given.add(option.name());
      String where = "task '" + config.taskId() + "': ";
      if (SCHEDULER_OPTIONS.contains(option.name())) {
        config.error(
            option.keyLocation(),
            where
                + "option '"
                + option.name()
                + "' is set by the scheduler"
                + " (output: <run_root>/<dag_id>/<ds>/<task_id>; runner: the DAG's runner): remove it");
        continue;
      }
      Optional<OptionCatalog.Option> known = catalog.option(option.name());
      if (known.isEmpty()) {
        List<String> valid = catalog.ownOptionNames(SCHEDULER_OPTIONS);
        List<String> all = new ArrayList<>(catalog.options().keySet());
        all.removeAll(SCHEDULER_OPTIONS);
        config.error(
            option.keyLocation(),
            where
                + "unknown option '"
                + option.name()
                + "' for pipeline '"
                + pipeline
                + "'"
                + Suggest.didYouMean(option.name(), all)
                + ": its options are "
                + String.join(", ", valid)
                + " (and Beam's general options)");
        continue;
      }
      for (Template value : option.values()) {
        if (known.get().sql()) {
          SqlOptionTemplates.problem(value)
              .ifPresent(
                  problem ->
                      config.error(
                          option.valueLocation(),
                          where + "option '" + option.name() + "' is SQL: " + problem));
        }
        if (value.isLiteral()) {
          OptionCatalog.checkValue(known.get(), value.source())
              .ifPresent(
                  problem ->
                      config.error(
                          option.valueLocation(),
                          where
                              + "option '"
                              + option.name()
                              + "' of pipeline '"
                              + pipeline
                              + "' "
                              + problem
                              + ", not '"
                              + value.source()
                              + "'"));
        }
      }
    }
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (OptionCatalog.Option option : catalog.options().values()) {
      if (SCHEDULER_OPTIONS.contains(option.name())) {
        continue;
      }
      for (String group : option.requiredGroups()) {
        groups
            .computeIfAbsent(group.isEmpty() ? "\0" + option.name() : group, g -> new ArrayList<>())
            .add(option.name());
      }
    }
    groups.values().stream()
        .filter(members -> members.stream().noneMatch(given::contains))
        .forEach(
            members ->
                config.error(
                    config.locationOf("options"),
                    "task '"
                        + config.taskId()
                        + "': pipeline '"
                        + pipeline
                        + "' requires option "
                        + members.stream()
                            .map(m -> "'" + m + "'")
                            .collect(Collectors.joining(" or "))
                        + describe(catalog, members.get(0))));
  }

  private static String describe(OptionCatalog catalog, String option) {
    String description = catalog.option(option).map(OptionCatalog.Option::description).orElse("");
    return description.isEmpty() ? "" : " (" + description + ")";
  }

  /**
   * A validated pipeline task.
   *
   * @param sqlOptions the options whose values are SQL ({@code @SqlOption}), rendered as SQL
   *     literals
   */
  record PipelineTask(
      String pipeline,
      boolean logicalDates,
      List<TaskConfig.Option> options,
      Set<String> sqlOptions)
      implements TaskSpec {

    @Override
    public List<Template> templates() {
      return options.stream().flatMap(o -> o.values().stream()).toList();
    }

    @Override
    public boolean outputComplete(String outputDir) {
      return committed(outputDir);
    }

    @Override
    public void invalidateOutput(String outputDir) throws IOException {
      invalidate(outputDir);
    }

    /** {@code run <pipeline> --output=... ...}: the arguments of the CLI's main. */
    List<String> arguments(TaskContext context) {
      List<String> args = new ArrayList<>(List.of("run", pipeline));
      args.add("--output=" + context.outputDir());
      args.add("--dagId=" + context.dagId());
      args.add("--taskId=" + context.taskId());
      if (logicalDates) {
        args.add("--logicalDate=" + context.render().dates().ds());
        args.add("--dataIntervalStart=" + context.render().dates().dataIntervalStart());
        args.add("--dataIntervalEnd=" + context.render().dates().dataIntervalEnd());
        args.add("--params=" + context.render().paramsJson());
      }
      for (TaskConfig.Option option : options) {
        boolean sql = sqlOptions.contains(option.name());
        for (Template value : option.values()) {
          args.add(
              "--"
                  + option.name()
                  + "="
                  + (sql
                      ? SqlOptionTemplates.render(context.taskId(), option.name(), value, context)
                      : context.render(value)));
        }
      }
      args.addAll(
          job(context)
              .map(job -> job.named(context.runner()))
              .orElse(context.runner())
              .arguments());
      return args;
    }

    /** The Flink job this try submits to a cluster, if it does (the client JVM is not the job). */
    private static Optional<FlinkJob> job(TaskContext context) {
      return FlinkJob.of(
          context.runner(),
          context.dagId(),
          context.render().dates().ds(),
          context.taskId(),
          context.tryNumber());
    }

    @Override
    public List<String> describe(TaskContext context) {
      return arguments(context);
    }

    @Override
    public TaskResult execute(TaskContext context) throws InterruptedException {
      String output = context.outputDir();
      try {
        invalidate(output);
      } catch (IOException e) {
        return TaskResult.failed(
            "cannot clear the old manifest in " + output + ": " + e.getMessage());
      }
      List<String> args;
      try {
        args = arguments(context);
      } catch (InvalidInputException e) {
        return TaskResult.failedNoRetry(e.getMessage());
      }
      // The pipeline writes its counters there while it runs: the terminal's live progress.
      Path progress = StageProgress.besideLog(context.logFile()).toAbsolutePath();
      try {
        Files.deleteIfExists(progress);
      } catch (IOException e) {
        return TaskResult.failed(
            "cannot clear the old progress file " + progress + ": " + e.getMessage());
      }
      ProcessSupervisor.Exit exit = runClient(args, progress, context);
      String last = Processes.lastLine(context.logFile());
      if (exit.timedOut()) {
        return TaskResult.failed(
            "timed out (execution_timeout); the pipeline's processes were killed");
      }
      if (exit.code() == ExitCodes.INVALID_INPUT) {
        return TaskResult.failedNoRetry("invalid input (exit code 2, not retried): " + last);
      }
      if (exit.code() != ExitCodes.SUCCESS) {
        return TaskResult.failed("exit code " + exit.code() + ": " + last);
      }
      return outputComplete(output)
          ? TaskResult.success()
          : TaskResult.failed(
              "the pipeline exited 0 but committed no output ("
                  + TaskOutput.MANIFEST
                  + " is missing in "
                  + output
                  + ")");
    }

    /**
     * Runs the pipeline's client: a thread of the run's warm task client when it has one, else a
     * JVM of its own. When it ends other than by exit 0 (killed at the deadline or by an interrupt,
     * crashed), its job on a Flink cluster is cancelled: nothing waits for it any more, and a retry
     * would run it twice at once.
     */
    private static ProcessSupervisor.Exit runClient(
        List<String> args, Path progress, TaskContext context) throws InterruptedException {
      Optional<FlinkJob> job = job(context);
      job.ifPresent(context.watcher()::jobSubmitting);
      Runnable cancelJob =
          () ->
              job.ifPresent(
                  j ->
                      j.cancelQuietly(
                          message -> Processes.appendMessage(context.logFile(), message)));
      boolean succeeded = false;
      try {
        Optional<TaskClient> client = context.taskClient().filter(TaskClient::alive);
        ProcessSupervisor.Exit exit =
            client.isPresent()
                ? client
                    .get()
                    .run(
                        args,
                        context.logFile(),
                        progress,
                        context.deadline(),
                        context.watcher(),
                        cancelJob)
                : ProcessSupervisor.run(
                    context.launcher().command(context.runner().jvmOptions(), args),
                    Map.of(StageProgress.ENV, progress.toString()),
                    context.logFile(),
                    context.deadline(),
                    context.watcher());
        succeeded = !exit.timedOut() && exit.code() == ExitCodes.SUCCESS;
        return exit;
      } finally {
        if (!succeeded) {
          cancelJob.run();
        }
        job.ifPresent(context.watcher()::jobSettled);
      }
    }

    @Override
    public AirflowOperator toAirflow(AirflowContext context) {
      Map<String, String> pipelineOptions = new LinkedHashMap<>();
      pipelineOptions.put("pipeline", Py.str(pipeline));
      pipelineOptions.put("output", context.outputDir());
      pipelineOptions.put("dagId", Py.str(context.dagId()));
      pipelineOptions.put("taskId", Py.str(context.taskId()));
      if (logicalDates) {
        pipelineOptions.put("logicalDate", Py.str("{{ ds }}"));
        pipelineOptions.put("dataIntervalStart", Py.str("{{ data_interval_start | ds }}"));
        pipelineOptions.put("dataIntervalEnd", Py.str("{{ data_interval_end | ds }}"));
        pipelineOptions.put("params", context.paramsJson());
      }
      for (TaskConfig.Option option : options) {
        if (sqlOptions.contains(option.name())
            && option.values().stream().anyMatch(v -> !v.isLiteral())) {
          // Airflow's Jinja would splice the values into the SQL as raw text.
          throw new InvalidInputException(
              "cannot export "
                  + context.dagId()
                  + " to Airflow: task '"
                  + context.taskId()
                  + "' templates values into the SQL option '"
                  + option.name()
                  + "', which"
                  + " Airflow's Jinja would splice in raw: write the SQL without {{ }} for an exported DAG");
        }
        List<String> values = option.values().stream().map(context::string).toList();
        pipelineOptions.put(option.name(), option.list() ? Py.list(values) : values.get(0));
      }
      Map<String, String> runnerOptions = new LinkedHashMap<>();
      context.runner().options().forEach((k, v) -> runnerOptions.put(k, Py.str(v)));
      if (context.runner().kind() == io.mlproof.orchestrator.core.RunnerKind.FLINK) {
        runnerOptions.put(FlinkRunTarget.MASTER_OPTION, AirflowContext.FLINK_MASTER);
        runnerOptions.putIfAbsent(FlinkRunTarget.FILES_TO_STAGE_OPTION, AirflowContext.FLINK_JAR);
      }
      Map<String, String> kwargs = new LinkedHashMap<>();
      kwargs.put("jar", context.jar());
      kwargs.put("job_class", Py.str(AIRFLOW_JOB_CLASS));
      kwargs.put("runner", Py.str(context.runner().kind().beamName()));
      kwargs.put("pipeline_options", Py.dict(pipelineOptions, "        "));
      kwargs.put("default_pipeline_options", Py.dict(runnerOptions, "        "));
      return new AirflowOperator(
          "airflow.providers.apache.beam.operators.beam", "BeamRunJavaPipelineOperator", kwargs);
    }
  }

  /** Whether {@code outputDir} holds a committed output ({@code manifest.json}). */
  static boolean committed(String outputDir) {
    BeamFileSystems.ensureRegisteredFor(outputDir);
    try {
      TaskOutput.read(outputDir);
      return true;
    } catch (InvalidInputException e) {
      return false;
    }
  }

  /**
   * Deletes the manifest a previous try or run left, before anything else: from here on the
   * directory cannot look complete until the new try commits.
   */
  static void invalidate(String outputDir) throws IOException {
    BeamFileSystems.ensureRegisteredFor(outputDir);
    ResourceId dir =
        FileSystems.matchNewResource(outputDir.endsWith("/") ? outputDir : outputDir + "/", true);
    FileSystems.delete(
        List.of(
            dir.resolve(TaskOutput.MANIFEST, ResolveOptions.StandardResolveOptions.RESOLVE_FILE)),
        MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  /**
   * Registers Beam's file systems (gs:// included) once, for paths that are not local: local files
   * work without it, and registering loads every file system on the class path (seconds).
   */
  static final class BeamFileSystems {
    private static volatile boolean registered;

    private BeamFileSystems() {}

    static void ensureRegisteredFor(String path) {
      boolean local = !path.contains("://") || path.startsWith("file://");
      if (!local && !registered) {
        synchronized (BeamFileSystems.class) {
          if (!registered) {
            FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
            registered = true;
          }
        }
      }
    }
  }
}
