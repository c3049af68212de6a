package io.mlproof.orchestrator.run;

import io.mlproof.orchestrator.core.RunnerSpec;
import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.dag.TaskContext;
import io.mlproof.orchestrator.dag.TaskDef;
import io.mlproof.orchestrator.dag.TaskResult;
import io.mlproof.orchestrator.dag.TriggerRule;
import io.mlproof.orchestrator.flink.FlinkJob;
import io.mlproof.orchestrator.flink.FlinkRunTarget;
import io.mlproof.orchestrator.flink.FlinkSessionCluster;
import io.mlproof.orchestrator.process.Processes;
import io.mlproof.orchestrator.state.DagRunRecord;
import io.mlproof.orchestrator.state.DagRunState;
import io.mlproof.orchestrator.state.ProcessIdentity;
import io.mlproof.orchestrator.state.RunLock;
import io.mlproof.orchestrator.state.RunType;
import io.mlproof.orchestrator.state.StateStore;
import io.mlproof.orchestrator.state.TaskInstance;
import io.mlproof.orchestrator.state.TaskState;
import io.mlproof.orchestrator.task.ClusterTaskClient;
import io.mlproof.orchestrator.task.ProcessWatcher;
import io.mlproof.orchestrator.task.TaskClient;
import io.mlproof.orchestrator.template.RenderContext;
import io.mlproof.pipelines.core.InvalidInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs DAG runs: tasks in dependency order, independent ones in parallel up to a limit, with
 * trigger rules, retries with backoff, timeouts, and every state change stored before it is acted
 * on, so a run killed at any point resumes without redoing finished work.
 *
 * <p>One coordinator thread (the caller's) owns the run's state; tasks execute on a pool and report
 * back through a queue.
 */
public final class DagRunner {

  private final StateStore store;
  private final RunSettings settings;
  private final ProgressListener progress;
  private final Set<ProcessHandle> liveProcesses = ConcurrentHashMap.newKeySet();
  private final Set<Path> liveClusterDirs = ConcurrentHashMap.newKeySet();

  /** Jobs of running tasks on Flink clusters, each with where to say that it was cancelled. */
  private final Map<FlinkJob, Consumer<String>> liveJobs = new ConcurrentHashMap<>();

  public DagRunner(StateStore store, RunSettings settings, ProgressListener progress) {
    this.store = store;
    this.settings = settings;
    this.progress = progress;
  }

  /**
   * Runs {@code dag} at {@code date}. A run that already succeeded is a no-op until cleared; a
   * failed or interrupted one resumes: successful tasks with intact outputs are kept, the rest run.
   *
   * @throws io.mlproof.orchestrator.state.RunLockedException when another live process runs it
   */
  public RunResult run(Dag dag, LocalDate date, RunType type, Map<String, Object> params) {
    checkDate(dag, date);
    try (RunLock lock = store.lock(dag.dagId(), date, ProcessIdentity.current())) {
      lock.takenOverFrom()
          .ifPresent(
              dead ->
                  progress.note(
                      dag.dagId(),
                      date,
                      "took over the lock of pid " + dead.pid() + ", which is no longer running"));
      return new Execution(dag, date, type, params).execute();
    }
  }

  /**
   * Runs every fire date of the schedule in {@code [from, to]}, in order, stopping at the first run
   * that fails (later runs may read earlier runs' outputs).
   */
  public List<RunResult> backfill(
      Dag dag, LocalDate from, LocalDate to, Map<String, Object> params) {
    if (to.isBefore(from)) {
      throw new InvalidInputException("backfill --end " + to + " is before --start " + from);
    }
    checkDate(dag, from);
    checkDate(dag, to);
    List<LocalDate> dates = dag.schedule().fireDates(from, to);
    if (dates.isEmpty()) {
      throw new InvalidInputException(
          "the schedule of "
              + dag.dagId()
              + " ("
              + dag.schedule()
              + ") does not fire"
              + " between "
              + from
              + " and "
              + to
              + ": widen the range");
    }
    return runInOrder(dag, dates, RunType.BACKFILL, params);
  }

  /**
   * The scheduler's tick: runs whose data interval has ended by today. With {@code catchup}, every
   * such run since {@code start_date} (finished ones are no-ops), else only the latest.
   */
  public List<RunResult> runDue(Dag dag, Map<String, Object> params) {
    LocalDate today = LocalDate.now(settings.clock());
    // The latest fire date whose interval has ended: at most two steps back from today.
    LocalDate latest = dag.schedule().previousBefore(today);
    while (dag.schedule().nextAfter(latest).isAfter(today)) {
      latest = dag.schedule().previousBefore(latest);
    }
    if (latest.isBefore(dag.startDate())) {
      progress.note(
          dag.dagId(),
          today,
          "no run is due yet (start_date "
              + dag.startDate()
              + ", schedule "
              + dag.schedule()
              + ")");
      return List.of();
    }
    List<LocalDate> dates =
        dag.catchup() ? dag.schedule().fireDates(dag.startDate(), latest) : List.of(latest);
    return runInOrder(dag, dates, RunType.SCHEDULED, params);
  }

  private List<RunResult> runInOrder(
      Dag dag, List<LocalDate> dates, RunType type, Map<String, Object> params) {
    List<RunResult> results = new ArrayList<>();
    for (LocalDate date : dates) {
      RunResult result = run(dag, date, type, params);
      results.add(result);
      if (!result.succeeded()) {
        progress.note(dag.dagId(), date, "stopping: later runs wait for this one to succeed");
        break;
      }
    }
    return results;
  }

  /**
   * Clears task instances of a run so the next {@code run} executes them again: all tasks, or
   * {@code task} (and everything downstream of it). Their outputs lose their manifests at once.
   *
   * @return the cleared task ids
   */
  @SuppressWarnings("try") // the lock is only held, for the duration of the block
  public List<String> clear(Dag dag, LocalDate date, Optional<String> task, boolean downstream) {
    List<String> ids =
        task.map(
                t -> {
                  if (dag.task(t).isEmpty()) {
                    List<String> all = dag.tasks().stream().map(TaskDef::id).toList();
                    throw new InvalidInputException(
                        "no task '"
                            + t
                            + "' in "
                            + dag.dagId()
                            + io.mlproof.orchestrator.load.Suggest.didYouMean(t, all)
                            + ": tasks are "
                            + String.join(", ", all));
                  }
                  return downstream ? dag.withAllDownstream(t) : List.of(t);
                })
            .orElseGet(() -> dag.tasks().stream().map(TaskDef::id).toList());
    try (RunLock lock = store.lock(dag.dagId(), date, ProcessIdentity.current())) {
      DagRunRecord run =
          store
              .dagRun(dag.dagId(), date)
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          "no run of "
                              + dag.dagId()
                              + " at "
                              + date
                              + " to clear (see: mlproof dags status "
                              + dag.dagId()
                              + ")"));
      // The outputs are where the run put them, whatever --run-root this command was given.
      String runRoot = run.runRoot().orElse(settings.runRoot());
      Map<String, TaskInstance> stored = store.taskInstances(dag.dagId(), date);
      List<TaskInstance> cleared = new ArrayList<>();
      for (String id : ids) {
        TaskDef def = dag.task(id).orElseThrow();
        invalidate(def, RenderContext.outputDir(runRoot, dag.dagId(), date, id));
        TaskInstance ti = stored.get(id);
        if (ti != null) {
          cleared.add(ti.reset(def.retryPolicy().maxTries()));
        }
      }
      store.save(cleared);
      // Cleared whole, nothing of the run is kept: its next run may use another run root and
      // params.
      boolean whole = ids.size() == dag.tasks().size();
      store.saveDagRun(
          new DagRunRecord(
              run.dagId(),
              date,
              DagRunState.QUEUED,
              run.runType(),
              run.conf(),
              run.start(),
              Optional.empty(),
              whole ? Optional.empty() : run.runRoot()));
      return ids;
    }
  }

  /**
   * Kills the processes of running tasks (for a shutdown hook): the next run resets those tasks.
   * Then stops the local Flink session clusters of running runs, also one still starting (by the
   * pids it has recorded so far).
   */
  public void killRunningTasks() {
    // Listed before the kill: a task whose client dies settles its job and leaves the map.
    Map<FlinkJob, Consumer<String>> jobs = Map.copyOf(liveJobs);
    // Jobs first: one on an external cluster would outlive this scheduler, and cancelling needs
    // only the JobManager, so nothing the kill sets off (a client's death, a task's failure) can
    // come first.
    jobs.forEach(
        (job, log) -> {
          if (job.cancelQuietly(log).filter(List::isEmpty).isPresent()) {
            log.accept("shutting down: no running Flink job named " + job.name() + " to cancel");
          }
        });
    liveProcesses.forEach(Processes::killTree);
    // Again with every client dead: a job whose submission was under way is listed by now.
    jobs.forEach(FlinkJob::cancelQuietly);
    liveClusterDirs.forEach(FlinkSessionCluster::stop);
  }

  private static void checkDate(Dag dag, LocalDate date) {
    io.mlproof.pipelines.sql.TemplateContext.checkLogicalDate("logical date", date);
    if (date.isBefore(dag.startDate())) {
      throw new InvalidInputException(
          "logical date "
              + date
              + " is before the start_date of "
              + dag.dagId()
              + " ("
              + dag.startDate()
              + "): use a later date");
    }
  }

  private String outputDir(Dag dag, LocalDate date, String taskId) {
    return RenderContext.outputDir(settings.runRoot(), dag.dagId(), date, taskId);
  }

  private static void invalidate(TaskDef task, String outputDir) {
    try {
      task.spec().invalidateOutput(outputDir);
    } catch (IOException e) {
      throw new io.mlproof.pipelines.core.RunFailedException(
          "cannot invalidate the output of "
              + task.id()
              + " at "
              + outputDir
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** A try that ended, reported by a pool thread. */
  private record Finished(String taskId, TaskResult result) {}

  /** One run, from reading its stored state to its final state. Used by one thread. */
  private final class Execution {
    private final Dag dag;
    private final LocalDate date;
    private final RunType type;
    private final Map<String, Object> params;
    private final RenderContext render;
    private final RunnerSpec dagRunner;
    private RunnerSpec runner;
    private final int maxActive;
    private final Map<String, TaskInstance> instances = new LinkedHashMap<>();
    private final Map<String, Instant> retryAt = new HashMap<>();
    private final BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    private int running;
    private Optional<TaskClient> taskClient = Optional.empty();

    Execution(Dag dag, LocalDate date, RunType type, Map<String, Object> params) {
      this.dag = dag;
      this.date = date;
      this.type = type;
      this.params = params;
      this.render =
          new RenderContext(dag.dagId(), dag.schedule().datesFor(date), settings.runRoot(), params);
      this.dagRunner = dag.runnerFor(settings.runner());
      this.runner = dagRunner;
      this.maxActive = settings.maxActiveTasks().orElse(dag.maxActiveTasks());
    }

    RunResult execute() {
      Instant started = Instant.now();
      Optional<DagRunRecord> previous = store.dagRun(dag.dagId(), date);
      String conf = render.paramsJson();
      previous.filter(p -> p.runRoot().isPresent()).ifPresent(p -> checkSameRun(p, conf));
      Map<String, TaskInstance> stored = store.taskInstances(dag.dagId(), date);
      if (previous.isPresent() && previous.get().state() == DagRunState.SUCCESS && intact(stored)) {
        RunResult result = result(DagRunState.SUCCESS, true, started, stored);
        progress.runFinished(result);
        return result;
      }
      prepare(stored);
      store.saveDagRun(
          new DagRunRecord(
              dag.dagId(),
              date,
              DagRunState.RUNNING,
              previous.map(DagRunRecord::runType).orElse(type),
              conf,
              Optional.of(started),
              Optional.empty(),
              Optional.of(settings.runRoot())));
      progress.runStarted(dag, date, type, maxActive, runner.kind().yamlName());
      ExecutorService pool =
          Executors.newFixedThreadPool(
              maxActive,
              r -> {
                Thread t = new Thread(r, "task-" + dag.dagId());
                t.setDaemon(true);
                return t;
              });
      FlinkRunTarget flink = null;
      try {
        // Started before the cluster, so that it warms up while the cluster starts.
        taskClient = startTaskClient();
        flink = openFlink();
        runner = flink.runner();
        loop(pool);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new io.mlproof.pipelines.core.RunFailedException(
            "interrupted while running " + dag.dagId() + " " + date);
      } finally {
        pool.shutdownNow();
        taskClient.ifPresent(
            client -> {
              client.close();
              liveProcesses.remove(client.process());
            });
        if (flink != null) {
          flink.close();
        }
        liveClusterDirs.remove(flinkDir());
      }
      DagRunState state =
          dag.decidingTasks().stream().anyMatch(t -> instances.get(t.id()).state().isFailure())
              ? DagRunState.FAILED
              : DagRunState.SUCCESS;
      store.saveDagRun(
          new DagRunRecord(
              dag.dagId(),
              date,
              state,
              previous.map(DagRunRecord::runType).orElse(type),
              conf,
              Optional.of(started),
              Optional.of(Instant.now()),
              Optional.of(settings.runRoot())));
      RunResult result = result(state, false, started, instances);
      progress.runFinished(result);
      return result;
    }

    /**
     * Refuses to continue or report a run under another run root or with other params than it
     * started with: its outputs would be mixed from two configurations, or be somewhere else than
     * the result says.
     */
    private void checkSameRun(DagRunRecord previous, String conf) {
      String what = dag.dagId() + " " + date + " (" + previous.state().label() + ")";
      String clear = "mlproof dags clear " + dag.dagId() + " --logical-date " + date;
      if (!previous.runRoot().get().equals(settings.runRoot())) {
        throw new InvalidInputException(
            what
                + " ran with --run-root "
                + previous.runRoot().get()
                + ", not "
                + settings.runRoot()
                + ": pass --run-root "
                + previous.runRoot().get()
                + ", or run `"
                + clear
                + "` first to run it again under the new run root");
      }
      if (!previous.conf().equals(conf)) {
        throw new InvalidInputException(
            what
                + " ran with params "
                + previous.conf()
                + ", not "
                + conf
                + ": pass the same --conf, or run `"
                + clear
                + "` first to run it again with the new params");
      }
    }

    /**
     * The run's Flink target: a master, or a local session cluster (in the run's log folder) when a
     * pipeline task is left to run; the DAG's runner for other runners.
     */
    private FlinkRunTarget openFlink() {
      liveClusterDirs.add(flinkDir());
      return FlinkRunTarget.open(
          dagRunner,
          settings.flink(),
          pipelinesToRun(),
          flinkDir(),
          message -> progress.note(dag.dagId(), date, message));
    }

    private boolean pipelinesToRun() {
      return dag.tasks().stream()
          .anyMatch(
              t -> t.kind().equals("pipeline") && instances.get(t.id()).state() == TaskState.NONE);
    }

    /**
     * The run's warm task client, when its pipeline tasks go to a Flink cluster (a master, or the
     * run's local session cluster) and {@code --fork-each-task} was not given.
     */
    private Optional<TaskClient> startTaskClient() {
      if (!FlinkRunTarget.submitsToCluster(dagRunner, settings.flink()) || !pipelinesToRun()) {
        return Optional.empty();
      }
      Optional<Path> cluster = settings.flink().startedCluster();
      if (cluster.isPresent()) {
        try {
          TaskClient shared = ClusterTaskClient.connect(cluster.get(), settings.launcher());
          progress.note(
              dag.dagId(),
              date,
              "pipeline tasks run as threads of the cluster's task client (pid "
                  + shared.process().pid()
                  + "), which outlives the run");
          return Optional.of(shared);
        } catch (ClusterTaskClient.Unavailable e) {
          progress.note(
              dag.dagId(),
              date,
              "not using the task client of the cluster in "
                  + cluster.get()
                  + ": "
                  + e.getMessage());
        }
      }
      TaskClient client =
          TaskClient.start(
              settings.launcher(),
              FlinkRunTarget.clientJvmOptions(dagRunner.jvmOptions()),
              settings
                  .logRoot()
                  .resolve(Path.of(dag.dagId(), date.toString(), "_task-client.log")));
      liveProcesses.add(client.process());
      progress.note(
          dag.dagId(),
          date,
          "started a warm task client (pid "
              + client.process().pid()
              + "): pipeline tasks run in it as threads; it stops when the run ends");
      return Optional.of(client);
    }

    /** The folder of the run's local Flink cluster, if it starts one: config, logs, pids. */
    private Path flinkDir() {
      return settings.logRoot().resolve(Path.of(dag.dagId(), date.toString(), "_flink"));
    }

    /**
     * Whether every task has a stored success or skip, and successful outputs are still complete.
     */
    private boolean intact(Map<String, TaskInstance> stored) {
      return dag.tasks().stream()
          .allMatch(
              t -> {
                TaskInstance ti = stored.get(t.id());
                return ti != null
                    && (ti.state() == TaskState.SKIPPED
                        || ti.state() == TaskState.SUCCESS && t.spec().outputComplete(ti.output()));
              });
    }

    /**
     * Decides what runs: stored successes with complete outputs are kept; tasks a dead process left
     * running are stopped and reset; failed ones are reset, and skipped ones whose upstream
     * re-runs.
     */
    private void prepare(Map<String, TaskInstance> stored) {
      Set<String> rerun = new HashSet<>();
      for (TaskDef task : dag.tasks()) {
        int tries = task.retryPolicy().maxTries();
        String output = outputDir(dag, date, task.id());
        TaskInstance ti = stored.get(task.id());
        TaskInstance next;
        if (ti == null) {
          next = TaskInstance.fresh(dag.dagId(), date, task.id(), tries, output);
        } else if (ti.state() == TaskState.SUCCESS && task.spec().outputComplete(output)) {
          next = ti;
        } else if (ti.state() == TaskState.SKIPPED
            && task.dependsOn().stream().noneMatch(rerun::contains)) {
          next = ti;
        } else {
          if (ti.state() == TaskState.RUNNING || ti.state() == TaskState.UP_FOR_RETRY) {
            stopOrphan(task);
          } else if (ti.state() == TaskState.SUCCESS) {
            progress.note(
                dag.dagId(),
                date,
                task.id()
                    + " was stored as success but its output is incomplete"
                    + " (no manifest.json in "
                    + output
                    + "): running it again");
          }
          next = ti.state() == TaskState.NONE ? ti : ti.reset(tries);
        }
        if (next.state() == TaskState.NONE) {
          rerun.add(task.id());
        }
        instances.put(task.id(), next);
      }
      store.save(instances.values());
    }

    /** A task a dead scheduler left running: its process may still be alive, so stop it first. */
    private void stopOrphan(TaskDef task) {
      Optional<ProcessHandle> orphan =
          store.taskProcess(dag.dagId(), date, task.id()).flatMap(ProcessIdentity::liveHandle);
      orphan.ifPresent(Processes::killTree);
      progress.note(
          dag.dagId(),
          date,
          task.id()
              + " was left running by a process that is gone"
              + orphan.map(p -> " (killed its leftover pid " + p.pid() + ")").orElse("")
              + ": running it again");
    }

    private void loop(ExecutorService pool) throws InterruptedException {
      while (true) {
        schedule(pool);
        if (running == 0 && retryAt.isEmpty()) {
          break;
        }
        Finished done;
        if (running >= maxActive || retryAt.isEmpty()) {
          done = finished.take();
        } else {
          // Wake up for whichever comes first: a try ending or a retry falling due.
          Instant next = retryAt.values().stream().min(Instant::compareTo).orElseThrow();
          long waitMillis = Duration.between(Instant.now(), next).toMillis();
          done =
              waitMillis <= 0 ? finished.poll() : finished.poll(waitMillis, TimeUnit.MILLISECONDS);
        }
        if (done != null) {
          handle(done);
        }
      }
      if (instances.values().stream().anyMatch(ti -> !ti.state().isFinished())) {
        throw new IllegalStateException(
            "scheduler stopped with unfinished tasks: " + instances.values());
      }
    }

    /** Starts or decides every task whose trigger rule can be evaluated, until nothing changes. */
    private void schedule(ExecutorService pool) {
      boolean changed = true;
      while (changed) {
        changed = false;
        for (TaskDef task : dag.tasks()) {
          TaskInstance ti = instances.get(task.id());
          if (ti.state() == TaskState.UP_FOR_RETRY) {
            if (running < maxActive && !retryAt.get(task.id()).isAfter(Instant.now())) {
              retryAt.remove(task.id());
              start(pool, task);
              changed = true;
            }
            continue;
          }
          if (ti.state() != TaskState.NONE) {
            continue;
          }
          TriggerRule.Decision decision =
              task.triggerRule()
                  .evaluate(task.dependsOn().stream().map(u -> instances.get(u).state()).toList());
          switch (decision) {
            case RUN -> {
              if (running < maxActive) {
                start(pool, task);
                changed = true;
              }
            }
            case SKIP -> {
              update(
                  ti.decided(
                      TaskState.SKIPPED,
                      Instant.now(),
                      "skipped by trigger rule " + task.triggerRule().yamlName()));
              changed = true;
            }
            case UPSTREAM_FAILED -> {
              update(
                  ti.decided(TaskState.UPSTREAM_FAILED, Instant.now(), "an upstream task failed"));
              changed = true;
            }
            case WAIT -> {}
          }
        }
      }
    }

    private void start(ExecutorService pool, TaskDef task) {
      TaskInstance ti = instances.get(task.id());
      int tryNumber = ti.tryNumber() + 1;
      Path log =
          settings
              .logRoot()
              .resolve(
                  Path.of(
                      dag.dagId(), date.toString(), task.id(), "attempt=" + tryNumber + ".log"));
      Instant now = Instant.now();
      update(ti.started(now, log.toString()));
      running++;
      TaskContext context =
          new TaskContext(
              dag.dagId(),
              task.id(),
              tryNumber,
              render,
              log,
              task.retryPolicy().executionTimeout().map(now::plus),
              runner,
              settings.launcher(),
              watcher(task.id(), log),
              dag,
              store.file(),
              taskClient);
      pool.execute(
          () -> {
            TaskResult result;
            try {
              result = task.spec().execute(context);
            } catch (InterruptedException e) {
              result = TaskResult.failed("interrupted");
            } catch (RuntimeException | Error e) {
              result = TaskResult.failed(e.toString());
            }
            finished.add(new Finished(task.id(), result));
          });
    }

    private ProcessWatcher watcher(String taskId, Path log) {
      return new ProcessWatcher() {
        @Override
        public void started(ProcessHandle process) {
          liveProcesses.add(process);
          store.recordProcess(dag.dagId(), date, taskId, ProcessIdentity.of(process));
        }

        @Override
        public void ended(ProcessHandle process) {
          liveProcesses.remove(process);
        }

        @Override
        public void runsInShared(ProcessHandle process) {
          store.recordProcess(dag.dagId(), date, taskId, ProcessIdentity.of(process));
        }

        @Override
        public void jobSubmitting(FlinkJob job) {
          // On the terminal and in the task's log: the terminal's last lines may be cut at exit.
          liveJobs.put(
              job,
              message -> {
                Processes.appendMessage(log, message);
                progress.note(dag.dagId(), date, message);
              });
        }

        @Override
        public void jobSettled(FlinkJob job) {
          liveJobs.remove(job);
        }
      };
    }

    private void handle(Finished done) {
      running--;
      TaskDef task = dag.task(done.taskId()).orElseThrow();
      TaskInstance ti = instances.get(done.taskId());
      Instant now = Instant.now();
      TaskResult result = done.result();
      Optional<String> why = Optional.of(result.message()).filter(m -> !m.isEmpty());
      switch (result.outcome()) {
        case SUCCESS -> update(ti.finished(TaskState.SUCCESS, now, Optional.empty()));
        case SKIPPED -> update(ti.finished(TaskState.SKIPPED, now, why));
        case FAILED_NO_RETRY -> update(ti.finished(TaskState.FAILED, now, why));
        case FAILED -> {
          if (ti.tryNumber() < ti.maxTries()) {
            Duration delay =
                task.retryPolicy().delayAfter(ti.tryInBudget(task.retryPolicy().maxTries()));
            retryAt.put(task.id(), now.plus(delay));
            update(
                ti.finished(
                    TaskState.UP_FOR_RETRY,
                    now,
                    Optional.of(
                        why.orElse("failed") + " (retry in " + TextProgress.seconds(delay) + ")")));
          } else {
            update(ti.finished(TaskState.FAILED, now, why));
          }
        }
      }
    }

    /** Stores a new state, then reports it: what the terminal shows is already durable. */
    private void update(TaskInstance ti) {
      instances.put(ti.taskId(), ti);
      store.save(ti);
      progress.taskChanged(ti);
    }

    private RunResult result(
        DagRunState state, boolean alreadyDone, Instant started, Map<String, TaskInstance> tis) {
      List<TaskInstance> ordered = dag.tasks().stream().map(t -> tis.get(t.id())).toList();
      String runDir =
          RenderContext.outputDir(settings.runRoot(), dag.dagId(), date, "").replaceAll("/$", "");
      return new RunResult(
          dag.dagId(),
          date,
          state,
          alreadyDone,
          Duration.between(started, Instant.now()),
          runDir,
          settings.logRoot().resolve(Path.of(dag.dagId(), date.toString())).toString(),
          ordered);
    }
  }
}
