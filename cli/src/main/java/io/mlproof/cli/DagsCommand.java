package io.mlproof.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlproof.orchestrator.core.Durations;
import io.mlproof.orchestrator.core.RunnerKind;
import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.dag.TaskContext;
import io.mlproof.orchestrator.dag.TaskDef;
import io.mlproof.orchestrator.export.AirflowExporter;
import io.mlproof.orchestrator.flink.FlinkRunTarget;
import io.mlproof.orchestrator.flink.FlinkSessionCluster;
import io.mlproof.orchestrator.flink.FlinkSetup;
import io.mlproof.orchestrator.load.DagLoader;
import io.mlproof.orchestrator.load.DefinitionError;
import io.mlproof.orchestrator.report.RunReport;
import io.mlproof.orchestrator.run.DagRunner;
import io.mlproof.orchestrator.run.LiveProgress;
import io.mlproof.orchestrator.run.ProgressListener;
import io.mlproof.orchestrator.run.RunConf;
import io.mlproof.orchestrator.run.RunResult;
import io.mlproof.orchestrator.run.RunSettings;
import io.mlproof.orchestrator.run.TextProgress;
import io.mlproof.orchestrator.state.DagRunRecord;
import io.mlproof.orchestrator.state.RunType;
import io.mlproof.orchestrator.state.StateStore;
import io.mlproof.orchestrator.state.TaskInstance;
import io.mlproof.orchestrator.state.TaskState;
import io.mlproof.orchestrator.task.ProcessWatcher;
import io.mlproof.orchestrator.template.RenderContext;
import io.mlproof.pipelines.core.ExitCodes;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.sql.TemplateContext;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mlproof dags ...}: validate, inspect, run, backfill, clear and export Airflow-style DAGs.
 */
@Command(
    name = "dags",
    description =
        "Airflow-style DAGs (YAML in --dags-folder): validate, show, run, backfill, status, clear,"
            + " export to Airflow. Exit codes: 0 success, 1 a run failed, 2 an invalid DAG or argument.",
    subcommands = {
      DagsCommand.ListDags.class,
      DagsCommand.Validate.class,
      DagsCommand.Show.class,
      DagsCommand.Run.class,
      DagsCommand.Backfill.class,
      DagsCommand.Status.class,
      DagsCommand.Clear.class,
      DagsCommand.ExportAirflow.class
    })
final class DagsCommand {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** How results are printed. */
  enum OutputFormat {
    TEXT,
    JSON
  }

  /** Where DAGs, outputs and state are. */
  static final class Folders {
    @Option(
        names = "--dags-folder",
        defaultValue = "dags",
        description = "Folder of DAG files (default: ${DEFAULT-VALUE}).")
    Path dagsFolder;

    @Option(
        names = "--run-root",
        defaultValue = "build/runs",
        description =
            "Where task outputs go: <run-root>/<dag_id>/<ds>/<task_id> (default: ${DEFAULT-VALUE}).")
    String runRoot;

    @Option(
        names = "--state",
        defaultValue = "build/state.sqlite",
        description = "SQLite file of runs, task instances and locks (default: ${DEFAULT-VALUE}).")
    Path state;

    @Option(
        names = "--log-dir",
        description =
            "Task logs (default: <run-root>/_logs, or build/logs for a" + " remote run root).")
    Path logDir;

    @Option(
        names = "--output",
        defaultValue = "text",
        converter = FormatConverter.class,
        description = "text or json (default: ${DEFAULT-VALUE}).")
    OutputFormat output;

    Dag load(String dagId) {
      return DagLoader.standard().load(dagsFolder, dagId);
    }

    RunSettings settings() {
      RunSettings settings = RunSettings.of(runRoot);
      return logDir == null ? settings : settings.withLogRoot(logDir);
    }
  }

  /** Options of commands that run tasks. */
  static final class RunOptions {
    @Option(
        names = "--conf",
        description = "Param values as a JSON object, e.g. '{\"lookback_days\": 90}'.")
    String conf;

    @Option(
        names = "--runner",
        converter = RunnerConverter.class,
        description = "Runner for every pipeline task: direct or flink (default: the DAG's).")
    RunnerKind runner;

    @Option(
        names = "--flink-master",
        paramLabel = "HOST:PORT",
        description =
            "Submit every pipeline task to this Flink session cluster (its REST address); needs the"
                + " flink runner. Without it (and without flinkMaster in the DAG or defaults.yaml) the flink runner"
                + " starts a local session cluster for the run.")
    String flinkMaster;

    @Option(
        names = "--flink-cluster",
        paramLabel = "DIR",
        description =
            "Submit every pipeline task to the running cluster that mlproof flink start --dir DIR"
                + " started (a cluster that outlives the run): its master, and when it has --job-jar on"
                + " its class path the tasks stage nothing; refused if that jar is not this build's."
                + " The tasks run in the cluster's task client, a JVM that outlives runs, if it runs"
                + " this build.")
    Path flinkCluster;

    @Option(
        names = "--fork-each-task",
        description =
            "Run each pipeline task sent to a Flink cluster in a client JVM of its own, as exported"
                + " Airflow tasks do, instead of as a thread of the run's one warm task client (which"
                + " saves each task a JVM start and set-up, but shares one JVM among the run's tasks).")
    boolean forkEachTask;

    @Option(
        names = "--max-active-tasks",
        description = "Tasks run at once (default: the DAG's max_active_tasks).")
    Integer maxActiveTasks;

    @Option(
        names = "--progress",
        defaultValue = "auto",
        converter = ProgressConverter.class,
        description =
            "Live progress of running pipelines on stderr (elements counted by their Beam counters,"
                + " elapsed time): auto (a line redrawn in place on a terminal, else plain), plain (a line at most every"
                + " 15 s, for CI logs), none (state changes only). Default: ${DEFAULT-VALUE}.")
    ProgressMode progress;

    /**
     * Where progress goes: state changes always, running pipelines' counters as {@code --progress}
     * says.
     */
    ProgressListener progressListener(PrintStream err) {
      LiveProgress.Style style =
          switch (progress) {
            case NONE -> null;
            case PLAIN -> LiveProgress.Style.PLAIN;
            // System.console() is there only when stdin and stdout are a terminal: a redirected run
            // is plain.
            case AUTO ->
                System.console() != null ? LiveProgress.Style.TERMINAL : LiveProgress.Style.PLAIN;
          };
      return style == null ? new TextProgress(err) : LiveProgress.of(err, style).start();
    }

    RunSettings apply(RunSettings settings) {
      if (maxActiveTasks != null && maxActiveTasks < 1) {
        throw new InvalidInputException(
            "--max-active-tasks must be at least 1, not " + maxActiveTasks);
      }
      return settings
          .withRunner(Optional.ofNullable(runner))
          .withMaxActiveTasks(Optional.ofNullable(maxActiveTasks))
          .withFlink(flink(settings.flink()).withTaskClient(!forkEachTask));
    }

    /** {@code --flink-master}, or the master and staging of the {@code --flink-cluster}. */
    private FlinkSetup flink(FlinkSetup setup) {
      if (flinkCluster == null) {
        return setup.withMaster(Optional.ofNullable(flinkMaster));
      }
      if (flinkMaster != null) {
        throw new InvalidInputException(
            "give --flink-master or --flink-cluster, not both: --flink-cluster "
                + flinkCluster
                + " already names its master");
      }
      FlinkSessionCluster.Attached cluster =
          FlinkSessionCluster.attach(flinkCluster, setup.clusterJar());
      return setup
          .withMaster(Optional.of(cluster.master()))
          .withClusterJar(cluster.placeholderJar().or(setup::clusterJar))
          .withStartedCluster(Optional.of(flinkCluster));
    }
  }

  /** {@code --progress}. */
  enum ProgressMode {
    AUTO,
    PLAIN,
    NONE
  }

  static final class ProgressConverter implements picocli.CommandLine.ITypeConverter<ProgressMode> {
    @Override
    public ProgressMode convert(String value) {
      try {
        return ProgressMode.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not auto, plain or none");
      }
    }
  }

  static final class FormatConverter implements picocli.CommandLine.ITypeConverter<OutputFormat> {
    @Override
    public OutputFormat convert(String value) {
      try {
        return OutputFormat.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not text or json");
      }
    }
  }

  static final class RunnerConverter implements picocli.CommandLine.ITypeConverter<RunnerKind> {
    @Override
    public RunnerKind convert(String value) {
      try {
        return RunnerKind.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not direct or flink");
      }
    }
  }

  /**
   * A logical date option: strictly YYYY-MM-DD, within the supported range (one message for each).
   */
  static LocalDate date(String text, String option) {
    LocalDate date = TemplateContext.parseDate(option, text);
    TemplateContext.checkLogicalDate(option, date);
    return date;
  }

  // ---- list / validate / show ---------------------------------------------------------------

  @Command(name = "list", description = "List the DAGs of the folder with their schedules.")
  static final class ListDags implements Callable<Integer> {
    @Mixin Folders folders;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      DagLoader.Report report = DagLoader.standard().loadAll(folders.dagsFolder);
      PrintWriter out = spec.commandLine().getOut();
      if (folders.output == OutputFormat.JSON) {
        ArrayNode list = JSON.createArrayNode();
        for (Dag dag : report.dags()) {
          list.addObject()
              .put("dag_id", dag.dagId())
              .put("schedule", dag.schedule().expression())
              .put("start_date", dag.startDate().toString())
              .put("catchup", dag.catchup())
              .put("tasks", dag.tasks().size())
              .put("description", dag.description());
        }
        out.println(list);
      } else {
        out.printf(
            "%-24s %-12s %-10s %-6s %s%n", "dag_id", "schedule", "start", "tasks", "description");
        for (Dag dag : report.dags()) {
          out.printf(
              "%-24s %-12s %-10s %-6d %s%n",
              dag.dagId(),
              dag.schedule().expression(),
              dag.startDate(),
              dag.tasks().size(),
              dag.description());
        }
      }
      return printErrors(spec, report.errors());
    }
  }

  static int printErrors(CommandSpec spec, List<DefinitionError> errors) {
    errors.forEach(e -> spec.commandLine().getErr().println(e));
    return errors.isEmpty() ? ExitCodes.SUCCESS : ExitCodes.INVALID_INPUT;
  }

  @Command(
      name = "validate",
      description =
          "Validate every DAG of the folder, or the named ones (DAG ids in"
              + " the folder, or DAG files anywhere, checked with the folder's defaults.yaml); exit 2 on any error.")
  static final class Validate implements Callable<Integer> {
    @Mixin Folders folders;
    @Spec CommandSpec spec;

    @Parameters(
        arity = "0..*",
        paramLabel = "DAG",
        description =
            "DAG ids of --dags-folder, or paths of DAG files (default: every DAG of the folder).")
    List<String> dags = new ArrayList<>();

    @Override
    public Integer call() {
      DagLoader.Report report =
          dags.isEmpty()
              ? DagLoader.standard().loadAll(folders.dagsFolder)
              : DagLoader.standard()
                  .loadFiles(folders.dagsFolder, dags.stream().map(this::file).toList());
      PrintWriter out = spec.commandLine().getOut();
      if (folders.output == OutputFormat.JSON) {
        ObjectNode json = JSON.createObjectNode();
        ArrayNode valid = json.putArray("valid");
        report.dags().forEach(d -> valid.add(d.dagId()));
        ArrayNode list = json.putArray("errors");
        report
            .errors()
            .forEach(
                e ->
                    list.addObject()
                        .put("file", e.location().file())
                        .put("line", e.location().line())
                        .put("column", e.location().column())
                        .put("message", e.message()));
        out.println(json);
        return report.errors().isEmpty() ? ExitCodes.SUCCESS : ExitCodes.INVALID_INPUT;
      }
      report
          .dags()
          .forEach(
              d ->
                  out.println(
                      "ok      "
                          + d.dagId()
                          + " ("
                          + d.tasks().size()
                          + " tasks, "
                          + d.schedule()
                          + ")"));
      if (!report.errors().isEmpty()) {
        out.println(
            "invalid: "
                + report.errors().size()
                + " error"
                + (report.errors().size() == 1 ? "" : "s")
                + " (listed on stderr)");
      }
      return printErrors(spec, report.errors());
    }

    /** The folder's file of a DAG id, else the file at the path as given. */
    private Path file(String dag) {
      List<Path> files =
          Files.isDirectory(folders.dagsFolder)
              ? DagLoader.dagFiles(folders.dagsFolder)
              : List.of();
      List<String> ids =
          files.stream()
              .map(f -> f.getFileName().toString().replaceFirst("\\.ya?ml$", ""))
              .toList();
      int id = ids.indexOf(dag);
      if (id >= 0) {
        return files.get(id);
      }
      Path given = Path.of(dag);
      if (Files.isRegularFile(given)) {
        return given;
      }
      throw new InvalidInputException(
          "'"
              + dag
              + "' is neither a DAG id of "
              + folders.dagsFolder
              + " (DAGs there: "
              + (ids.isEmpty() ? "none" : String.join(", ", ids))
              + ") nor a DAG file (a path is taken as given,"
              + " relative to "
              + Path.of("").toAbsolutePath()
              + ")");
    }
  }

  @Command(
      name = "show",
      description = "Show a DAG's tasks, dependencies and the arguments they would get for a date.")
  static final class Show implements Callable<Integer> {
    @Mixin Folders folders;
    @Spec CommandSpec spec;

    @Parameters(index = "0", description = "DAG id.")
    String dagId;

    @Option(
        names = "--logical-date",
        description = "Date to render arguments for (default: the DAG's start_date).")
    String logicalDate;

    @Mixin RunOptions run;

    @Override
    public Integer call() {
      Dag dag = folders.load(dagId);
      LocalDate date = logicalDate == null ? dag.startDate() : date(logicalDate, "--logical-date");
      Map<String, Object> params = RunConf.resolve(dag, run.conf);
      RunSettings settings = run.apply(folders.settings());
      RenderContext render =
          new RenderContext(dag.dagId(), dag.schedule().datesFor(date), settings.runRoot(), params);
      PrintWriter out = spec.commandLine().getOut();
      out.println(dag.dagId() + ": " + dag.description());
      out.println(
          "  schedule   "
              + dag.schedule()
              + ", start_date "
              + dag.startDate()
              + ", catchup "
              + dag.catchup());
      out.println(
          "  runner     "
              + dag.runnerFor(settings.runner()).kind().yamlName()
              + " "
              + dag.runnerFor(settings.runner()).options());
      out.println("  params     " + render.paramsJson());
      out.println(
          "  date       "
              + date
              + " (data interval "
              + render.dates().dataIntervalStart()
              + " .. "
              + render.dates().dataIntervalEnd()
              + ", previous run "
              + render.dates().prevDs()
              + ")");
      for (TaskDef task : dag.tasks()) {
        out.println();
        out.println(
            "  "
                + task.id()
                + "  ["
                + task.kind()
                + "]"
                + (task.dependsOn().isEmpty()
                    ? ""
                    : "  after " + String.join(", ", task.dependsOn()))
                + "  trigger_rule "
                + task.triggerRule().yamlName()
                + ", retries "
                + task.retryPolicy().retries()
                + task.retryPolicy()
                    .executionTimeout()
                    .map(t -> ", timeout " + Durations.format(t))
                    .orElse(""));
        TaskContext context =
            new TaskContext(
                dag.dagId(),
                task.id(),
                1,
                render,
                Path.of("-"),
                Optional.empty(),
                dag.runnerFor(settings.runner()),
                settings.launcher(),
                ProcessWatcher.NONE,
                dag,
                folders.state,
                Optional.empty());
        task.spec().describe(context).forEach(line -> out.println("      " + line));
        out.println("      output: " + render.outputDir(task.id()));
      }
      return ExitCodes.SUCCESS;
    }
  }

  // ---- run / backfill ---------------------------------------------------------------------------

  /** Runs with a shutdown hook that kills running tasks, so Ctrl-C or SIGTERM leaves no orphans. */
  abstract static class Running implements Callable<Integer> {
    @Mixin Folders folders;
    @Mixin RunOptions run;
    @Spec CommandSpec spec;

    @Parameters(index = "0", description = "DAG id.")
    String dagId;

    abstract List<RunResult> execute(DagRunner runner, Dag dag, Map<String, Object> params);

    @Override
    public Integer call() {
      Dag dag = folders.load(dagId);
      Map<String, Object> params = RunConf.resolve(dag, run.conf);
      RunSettings settings = run.apply(folders.settings());
      FlinkRunTarget.check(dag.runnerFor(settings.runner()), settings.flink());
      try (StateStore store = StateStore.open(folders.state)) {
        // Progress goes to stderr, so that stdout holds only the result (JSON with --output json).
        ProgressListener progress = run.progressListener(System.err);
        DagRunner runner = new DagRunner(store, settings, progress);
        Thread hook = new Thread(runner::killRunningTasks, "kill-running-tasks");
        Runtime.getRuntime().addShutdownHook(hook);
        List<RunResult> results;
        try {
          results = execute(runner, dag, params);
        } finally {
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException shuttingDown) {
            // Ctrl-C or SIGTERM came: the hook runs now, and the JVM exits when it is done.
          }
          if (progress instanceof LiveProgress live) {
            live.close();
          }
        }
        print(results);
        return results.stream().allMatch(RunResult::succeeded)
            ? ExitCodes.SUCCESS
            : ExitCodes.RUN_FAILED;
      }
    }

    private void print(List<RunResult> results) {
      PrintWriter out = spec.commandLine().getOut();
      if (folders.output == OutputFormat.JSON) {
        out.println(
            results.size() == 1
                ? results.get(0).toJson()
                : JSON.createArrayNode().addAll(results.stream().map(RunResult::toJson).toList()));
        return;
      }
      results.forEach(r -> summary(out, r));
    }
  }

  static void summary(PrintWriter out, RunResult r) {
    out.println(
        r.dagId()
            + " "
            + r.logicalDate()
            + ": "
            + r.state().label()
            + (r.alreadyDone()
                ? " (already; clear it to run again)"
                : " in " + seconds(r.wallTime())));
    out.printf("  %-24s %-16s %-6s %-9s %s%n", "task", "state", "tries", "duration", "output");
    for (TaskInstance ti : r.tasks()) {
      out.printf(
          "  %-24s %-16s %-6s %-9s %s%n",
          ti.taskId(),
          ti.state().label(),
          ti.tryNumber() + "/" + ti.maxTries(),
          ti.duration().map(DagsCommand::seconds).orElse("-"),
          ti.state() == TaskState.SUCCESS ? ti.output() : "");
      if (ti.state().isFailure() || ti.state() == TaskState.SKIPPED) {
        ti.message().ifPresent(m -> out.println("      " + m));
        if (ti.state() == TaskState.FAILED) {
          ti.logFile().ifPresent(l -> out.println("      log: " + l));
        }
      }
    }
    out.println("  outputs: " + r.runDir());
    out.println("  logs:    " + r.logDir());
    RunReport.of(r.tasks())
        .ifPresent(
            report -> {
              out.println("  verdict: " + report.headline());
              out.println("  report:  " + report.html());
            });
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
  }

  @Command(
      name = "run",
      description =
          "Run a DAG for --logical-date (resuming a failed run; a no-op for a"
              + " successful one until cleared). Without a date: the runs that are due, with catchup all missed ones.")
  static final class Run extends Running {
    @Option(
        names = "--logical-date",
        description = "YYYY-MM-DD; default: the latest run due by the schedule.")
    String logicalDate;

    @Override
    List<RunResult> execute(DagRunner runner, Dag dag, Map<String, Object> params) {
      if (logicalDate == null) {
        return runner.runDue(dag, params);
      }
      return List.of(runner.run(dag, date(logicalDate, "--logical-date"), RunType.MANUAL, params));
    }
  }

  @Command(
      name = "backfill",
      description = "Run every scheduled date in [--start, --end] in order, stopping at a failure.")
  static final class Backfill extends Running {
    @Option(names = "--start", required = true, description = "First date (YYYY-MM-DD).")
    String start;

    @Option(names = "--end", required = true, description = "Last date (YYYY-MM-DD), inclusive.")
    String end;

    @Override
    List<RunResult> execute(DagRunner runner, Dag dag, Map<String, Object> params) {
      return runner.backfill(dag, date(start, "--start"), date(end, "--end"), params);
    }
  }

  // ---- status / clear ---------------------------------------------------------------------------

  @Command(
      name = "status",
      description =
          "Show runs (all DAGs, or one), or one run's task instances with --logical-date.")
  static final class Status implements Callable<Integer> {
    @Mixin Folders folders;
    @Spec CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", description = "DAG id (default: all).")
    String dagId;

    @Option(names = "--logical-date", description = "Show this run's task instances.")
    String logicalDate;

    @Option(
        names = "--limit",
        defaultValue = "20",
        description = "Runs to show (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (StateStore store = StateStore.open(folders.state)) {
        if (logicalDate != null) {
          if (dagId == null) {
            throw new InvalidInputException(
                "--logical-date needs a DAG id: mlproof dags status <dag> --logical-date D");
          }
          LocalDate date = date(logicalDate, "--logical-date");
          DagRunRecord run =
              store
                  .dagRun(dagId, date)
                  .orElseThrow(
                      () ->
                          new InvalidInputException(
                              "no run of " + dagId + " at " + date + " in " + folders.state));
          List<TaskInstance> tasks = new ArrayList<>(store.taskInstances(dagId, date).values());
          if (folders.output == OutputFormat.JSON) {
            out.println(
                new RunResult(
                        dagId,
                        date,
                        run.state(),
                        false,
                        run.start()
                            .flatMap(s -> run.end().map(e -> Duration.between(s, e)))
                            .orElse(Duration.ZERO),
                        RenderContext.outputDir(
                                run.runRoot().orElse(folders.runRoot), dagId, date, "")
                            .replaceAll("/$", ""),
                        folders
                            .settings()
                            .logRoot()
                            .resolve(Path.of(dagId, date.toString()))
                            .toString(),
                        tasks)
                    .toJson());
          } else {
            out.println(
                dagId
                    + " "
                    + date
                    + ": "
                    + run.state().label()
                    + " ("
                    + run.runType().label()
                    + ")");
            for (TaskInstance ti : tasks) {
              out.printf(
                  "  %-24s %-16s %-6s %-9s %s%n",
                  ti.taskId(),
                  ti.state().label(),
                  ti.tryNumber() + "/" + ti.maxTries(),
                  ti.duration().map(DagsCommand::seconds).orElse("-"),
                  ti.message().orElse(""));
            }
          }
          return ExitCodes.SUCCESS;
        }
        List<DagRunRecord> runs = store.dagRuns(dagId, limit);
        if (folders.output == OutputFormat.JSON) {
          ArrayNode list = JSON.createArrayNode();
          runs.forEach(
              r ->
                  list.addObject()
                      .put("dag_id", r.dagId())
                      .put("logical_date", r.logicalDate().toString())
                      .put("state", r.state().label())
                      .put("run_type", r.runType().label())
                      .put("start", r.start().map(Object::toString).orElse(null))
                      .put("end", r.end().map(Object::toString).orElse(null)));
          out.println(list);
        } else {
          out.printf(
              "%-24s %-12s %-8s %-10s %-26s %s%n",
              "dag_id", "date", "state", "type", "start", "duration");
          for (DagRunRecord r : runs) {
            out.printf(
                "%-24s %-12s %-8s %-10s %-26s %s%n",
                r.dagId(),
                r.logicalDate(),
                r.state().label(),
                r.runType().label(),
                r.start().map(Object::toString).orElse("-"),
                r.start()
                    .flatMap(s -> r.end().map(e -> seconds(Duration.between(s, e))))
                    .orElse("-"));
          }
        }
        return ExitCodes.SUCCESS;
      }
    }
  }

  @Command(
      name = "clear",
      description =
          "Clear a run's task instances so the next `dags run` executes them again;"
              + " their outputs stop counting as complete at once.")
  static final class Clear implements Callable<Integer> {
    @Mixin Folders folders;
    @Spec CommandSpec spec;

    @Parameters(index = "0", description = "DAG id.")
    String dagId;

    @Option(
        names = "--logical-date",
        required = true,
        description = "The run to clear (YYYY-MM-DD).")
    String logicalDate;

    @Option(names = "--task", description = "Clear this task only (default: every task).")
    String task;

    @Option(names = "--downstream", description = "With --task: also every task downstream of it.")
    boolean downstream;

    @Override
    public Integer call() {
      if (downstream && task == null) {
        throw new InvalidInputException("--downstream needs --task");
      }
      Dag dag = folders.load(dagId);
      try (StateStore store = StateStore.open(folders.state)) {
        List<String> cleared =
            new DagRunner(store, folders.settings(), ProgressListener.NONE)
                .clear(
                    dag,
                    date(logicalDate, "--logical-date"),
                    Optional.ofNullable(task),
                    downstream);
        PrintWriter out = spec.commandLine().getOut();
        if (folders.output == OutputFormat.JSON) {
          ArrayNode list = JSON.createArrayNode();
          cleared.forEach(list::add);
          out.println(
              JSON.createObjectNode()
                  .put("dag_id", dagId)
                  .put("logical_date", logicalDate)
                  .set("cleared", list));
        } else {
          out.println("cleared " + dagId + " " + logicalDate + ": " + String.join(", ", cleared));
        }
        return ExitCodes.SUCCESS;
      }
    }
  }

  // ---- export -----------------------------------------------------------------------------------

  @Command(
      name = "export-airflow",
      description =
          "Write an Airflow DAG file doing the same: Beam pipeline tasks"
              + " as BeamRunJavaPipelineOperator, same dependencies, schedule, retries and templates.")
  static final class ExportAirflow implements Callable<Integer> {
    @Mixin Folders folders;
    @Spec CommandSpec spec;

    @Parameters(index = "0", description = "DAG id.")
    String dagId;

    @Option(
        names = {"-o", "--out"},
        description = "File to write (default: build/airflow/<dag_id>.py; - for stdout).")
    String out;

    @Option(
        names = "--jar",
        defaultValue = "/opt/mlproof/mlproof.jar",
        description = "Default of the Airflow Variable mlproof_jar (default: ${DEFAULT-VALUE}).")
    String jar;

    @Option(
        names = "--airflow-run-root",
        defaultValue = "gs://CHANGE-ME/mlproof/runs",
        description =
            "Default of the Airflow Variable mlproof_run_root (default: ${DEFAULT-VALUE}).")
    String airflowRunRoot;

    @Override
    public Integer call() throws IOException {
      Dag dag = folders.load(dagId);
      String source =
          AirflowExporter.export(dag, new AirflowExporter.Defaults(jar, airflowRunRoot));
      if ("-".equals(out)) {
        spec.commandLine().getOut().print(source);
        spec.commandLine().getOut().flush();
        return ExitCodes.SUCCESS;
      }
      Path file = Path.of(out == null ? "build/airflow/" + dag.dagId() + ".py" : out);
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Files.writeString(file, source, StandardCharsets.UTF_8);
      spec.commandLine()
          .getOut()
          .println(
              "wrote "
                  + file
                  + " ("
                  + dag.tasks().size()
                  + " tasks: "
                  + dag.tasks().stream().map(TaskDef::id).collect(Collectors.joining(", "))
                  + ")");
      return ExitCodes.SUCCESS;
    }
  }
}
