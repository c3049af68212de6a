package io.mlproof.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.state.DagRunState;
import io.mlproof.orchestrator.state.ProcessIdentity;
import io.mlproof.orchestrator.state.RunLock;
import io.mlproof.orchestrator.state.RunLockedException;
import io.mlproof.orchestrator.state.RunType;
import io.mlproof.orchestrator.state.TaskInstance;
import io.mlproof.orchestrator.state.TaskState;
import io.mlproof.orchestrator.testing.HarnessTest;
import io.mlproof.pipelines.core.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The executor with bash and empty tasks: order, parallelism, retries, timeouts, trigger rules,
 * state.
 */
class DagRunnerTest extends HarnessTest {

  /** A bash task appending its id (and more) to trace.txt. */
  private String traced(String id, String deps, String extra) {
    return "  - id: "
        + id
        + "\n    kind: bash\n    command: echo "
        + id
        + " >> "
        + h.file("trace.txt")
        + extra
        + "\n"
        + (deps.isEmpty() ? "" : "    depends_on: [" + deps + "]\n");
  }

  private String dagHeader(String id) {
    return "dag_id: " + id + "\nschedule: \"0 0 * * 1\"\nmax_active_tasks: 2\ntasks:\n";
  }

  @Test
  void independentTasksRunInParallelAndDependentsAfterThem() {
    Path toB = h.fifo("to_b");
    Path toC = h.fifo("to_c");
    // b and c can only finish if they run at the same time: each waits for the other through a
    // FIFO.
    // If they ran one after the other, the first would block until its 20 s timeout and fail.
    Dag dag =
        h.dag(
            "diamond",
            dagHeader("diamond")
                + traced("a", "", "")
                + "  - id: b\n    kind: bash\n    execution_timeout: 20s\n    depends_on: [a]\n"
                + "    command: echo b > "
                + toC
                + " && read x < "
                + toB
                + "\n"
                + "  - id: c\n    kind: bash\n    execution_timeout: 20s\n    depends_on: [a]\n"
                + "    command: read x < "
                + toC
                + " && echo c > "
                + toB
                + "\n"
                + traced("d", "b, c", ""));
    RunResult result = h.run(dag, "2024-01-08");
    assertThat(result.state()).isEqualTo(DagRunState.SUCCESS);
    assertThat(result.tasks()).extracting(TaskInstance::state).containsOnly(TaskState.SUCCESS);
    assertThat(h.lines("trace.txt")).containsExactly("a", "d");
    // a ran before b and c started; d only after both ended.
    List<String> changes = h.changes;
    assertThat(changes.indexOf("a success")).isLessThan(changes.indexOf("b running"));
    assertThat(changes.indexOf("a success")).isLessThan(changes.indexOf("c running"));
    assertThat(changes.indexOf("d running")).isGreaterThan(changes.indexOf("b success"));
    assertThat(changes.indexOf("d running")).isGreaterThan(changes.indexOf("c success"));
  }

  @Test
  void retriesThenSucceeds() {
    // Fails on its first two tries (the counter file holds the try count), succeeds on the third.
    String counter = h.file("count").toString();
    Dag dag =
        h.dag(
            "flaky",
            dagHeader("flaky")
                + "  - id: flaky\n    kind: bash\n    retries: 2\n"
                + "    command: n=$(( $(cat "
                + counter
                + " 2>/dev/null || echo 0) + 1 )); echo $n > "
                + counter
                + "; [ $n -ge 3 ]\n");
    RunResult result = h.run(dag, "2024-01-08");
    TaskInstance flaky = h.task(result, "flaky");
    assertThat(result.state()).isEqualTo(DagRunState.SUCCESS);
    assertThat(flaky.state()).isEqualTo(TaskState.SUCCESS);
    assertThat(flaky.tryNumber()).isEqualTo(3);
    assertThat(flaky.maxTries()).isEqualTo(3);
    assertThat(h.changes)
        .containsExactly(
            "flaky running",
            "flaky up_for_retry",
            "flaky running",
            "flaky up_for_retry",
            "flaky running",
            "flaky success");
    // One log file per try.
    assertThat(flaky.logFile())
        .contains(h.root.resolve("runs/_logs/flaky/2024-01-08/flaky/attempt=3.log").toString());
    assertThat(h.root.resolve("runs/_logs/flaky/2024-01-08/flaky/attempt=1.log")).exists();
  }

  @Test
  void retriesExhaustedFailsTheTaskAndMarksDownstreamUpstreamFailed() {
    Dag dag =
        h.dag(
            "broken",
            dagHeader("broken")
                + "  - id: broken\n    kind: bash\n    retries: 1\n    command: echo oops >&2; exit 3\n"
                + traced("after", "broken", "")
                + traced("after_after", "after", ""));
    RunResult result = h.run(dag, "2024-01-08");
    assertThat(result.state()).isEqualTo(DagRunState.FAILED);
    TaskInstance broken = h.task(result, "broken");
    assertThat(broken.state()).isEqualTo(TaskState.FAILED);
    assertThat(broken.tryNumber()).isEqualTo(2);
    assertThat(broken.message()).contains("exit code 3: oops");
    assertThat(h.task(result, "after").state()).isEqualTo(TaskState.UPSTREAM_FAILED);
    assertThat(h.task(result, "after_after").state()).isEqualTo(TaskState.UPSTREAM_FAILED);
    assertThat(h.task(result, "after").tryNumber()).isZero();
    assertThat(h.lines("trace.txt")).isEmpty();
  }

  @Test
  void timeoutKillsTheTaskAndEveryProcessItStarted() throws Exception {
    Path pidFile = h.file("sleep.pid");
    // The command starts a child (sleep) and waits: a timeout must kill the child too.
    Dag dag =
        h.dag(
            "slow",
            dagHeader("slow")
                + "  - id: slow\n    kind: bash\n    execution_timeout: 1s\n"
                + "    command: sleep 300 & echo $! > "
                + pidFile
                + "; wait\n");
    RunResult result = h.run(dag, "2024-01-08");
    TaskInstance slow = h.task(result, "slow");
    assertThat(slow.state()).isEqualTo(TaskState.FAILED);
    assertThat(slow.message())
        .contains("timed out (execution_timeout); the command's processes were killed");
    long sleepPid = Long.parseLong(Files.readString(pidFile).trim());
    Optional<ProcessHandle> sleep = ProcessHandle.of(sleepPid);
    // killTree waits for the processes to go; the orphaned sleep may stay a zombie until PID 1
    // reaps it, which ProcessHandle.isAlive would call alive.
    assertThat(sleep.map(ProcessIdentity::isRunning).orElse(false)).isFalse();
  }

  @Test
  void triggerRules() {
    Dag dag =
        h.dag(
            "rules",
            dagHeader("rules")
                + "  - id: ok\n    kind: bash\n    command: 'true'\n"
                + "  - id: fail\n    kind: bash\n    command: exit 1\n"
                + "  - id: skipper\n    kind: bash\n    command: exit 99\n"
                + "  - id: all_success_after_fail\n    kind: empty\n    depends_on: [ok, fail]\n"
                + "  - id: chained_after_upstream_failed\n    kind: empty\n    depends_on: [all_success_after_fail]\n"
                + "  - id: all_done_after_fail\n    kind: empty\n    trigger_rule: all_done\n    depends_on: [ok, fail]\n"
                + "  - id: one_failed_after_fail\n    kind: empty\n    trigger_rule: one_failed\n    depends_on: [ok, fail]\n"
                + "  - id: one_failed_after_ok\n    kind: empty\n    trigger_rule: one_failed\n    depends_on: [ok]\n"
                + "  - id: none_failed_after_skip\n    kind: empty\n    trigger_rule: none_failed\n    depends_on: [ok, skipper]\n"
                + "  - id: none_failed_after_fail\n    kind: empty\n    trigger_rule: none_failed\n    depends_on: [fail]\n"
                + "  - id: all_success_after_skip\n    kind: empty\n    depends_on: [skipper]\n");
    RunResult result = h.run(dag, "2024-01-08");
    Map<String, TaskState> expected =
        Map.ofEntries(
            Map.entry("ok", TaskState.SUCCESS),
            Map.entry("fail", TaskState.FAILED),
            Map.entry("skipper", TaskState.SKIPPED),
            Map.entry("all_success_after_fail", TaskState.UPSTREAM_FAILED),
            Map.entry("chained_after_upstream_failed", TaskState.UPSTREAM_FAILED),
            Map.entry("all_done_after_fail", TaskState.SUCCESS),
            Map.entry("one_failed_after_fail", TaskState.SUCCESS),
            Map.entry("one_failed_after_ok", TaskState.SKIPPED),
            Map.entry("none_failed_after_skip", TaskState.SUCCESS),
            Map.entry("none_failed_after_fail", TaskState.UPSTREAM_FAILED),
            Map.entry("all_success_after_skip", TaskState.SKIPPED));
    for (TaskInstance ti : result.tasks()) {
      assertThat(ti.state()).as(ti.taskId()).isEqualTo(expected.get(ti.taskId()));
    }
    // Leaves decide the run, as in Airflow: chained_after_upstream_failed is a failed leaf.
    assertThat(result.state()).isEqualTo(DagRunState.FAILED);
  }

  @Test
  void aFailedTaskHandledByAnAllDoneLeafLeavesTheRunSuccessfulAsInAirflow() {
    Dag dag =
        h.dag(
            "handled",
            dagHeader("handled")
                + "  - id: fail\n    kind: bash\n    command: exit 1\n"
                + "  - id: cleanup\n    kind: empty\n    trigger_rule: all_done\n    depends_on: [fail]\n");
    assertThat(h.run(dag, "2024-01-08").state()).isEqualTo(DagRunState.SUCCESS);
  }

  @Test
  void rerunningASuccessfulRunIsANoOp() {
    Dag dag = h.dag("twice", dagHeader("twice") + traced("a", "", "") + traced("b", "a", ""));
    RunResult first = h.run(dag, "2024-01-08");
    RunResult second = h.run(dag, "2024-01-08");
    assertThat(first.alreadyDone()).isFalse();
    assertThat(second.alreadyDone()).isTrue();
    assertThat(second.state()).isEqualTo(DagRunState.SUCCESS);
    assertThat(h.lines("trace.txt")).containsExactly("a", "b");
  }

  @Test
  void clearReRunsOnlyTheClearedTasks() {
    Dag dag =
        h.dag(
            "cleared",
            dagHeader("cleared")
                + traced("a", "", "")
                + traced("b", "a", "")
                + traced("c", "b", "")
                + traced("other", "", ""));
    LocalDate date = LocalDate.parse("2024-01-08");
    h.run(dag, "2024-01-08");
    List<String> first = h.lines("trace.txt");
    assertThat(first).containsExactlyInAnyOrder("a", "b", "c", "other");

    assertThat(h.runner().clear(dag, date, Optional.of("b"), true)).containsExactly("b", "c");
    assertThat(h.store.dagRun("cleared", date).orElseThrow().state()).isEqualTo(DagRunState.QUEUED);
    RunResult again = h.run(dag, "2024-01-08");
    assertThat(again.alreadyDone()).isFalse();
    assertThat(h.lines("trace.txt").subList(4, h.lines("trace.txt").size()))
        .containsExactly("b", "c");
    // Tries count on across clears, like Airflow's try_number.
    assertThat(h.task(again, "b").tryNumber()).isEqualTo(2);
    assertThat(h.task(again, "a").tryNumber()).isEqualTo(1);

    h.runner().clear(dag, date, Optional.of("b"), false);
    h.run(dag, "2024-01-08");
    assertThat(h.lines("trace.txt").subList(6, h.lines("trace.txt").size())).containsExactly("b");

    assertThatThrownBy(() -> h.runner().clear(dag, date, Optional.of("bb"), false))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("no task 'bb' in cleared (did you mean 'b'?): tasks are a, b, c, other");
  }

  @Test
  void aFailedRunResumesWithoutRedoingItsSuccessfulTasks() throws Exception {
    Path gate = h.file("gate");
    Dag dag =
        h.dag(
            "resume",
            dagHeader("resume")
                + traced("a", "", "")
                + "  - id: b\n    kind: bash\n    depends_on: [a]\n    command: echo b >> "
                + h.file("trace.txt")
                + " && test -f "
                + gate
                + "\n"
                + traced("c", "b", ""));
    assertThat(h.run(dag, "2024-01-08").state()).isEqualTo(DagRunState.FAILED);
    Files.createFile(gate);
    RunResult second = h.run(dag, "2024-01-08");
    assertThat(second.state()).isEqualTo(DagRunState.SUCCESS);
    assertThat(h.lines("trace.txt")).containsExactly("a", "b", "b", "c");
  }

  @Test
  void aLiveOwnerHoldsTheLockAndADeadOneLosesIt() throws Exception {
    Dag dag = h.dag("locked", dagHeader("locked") + traced("a", "", ""));
    LocalDate date = LocalDate.parse("2024-01-08");
    Process other = new ProcessBuilder("cat").start(); // blocks on stdin: alive until we close it
    try {
      ProcessIdentity otherOwner = ProcessIdentity.of(other.toHandle());
      RunLock held = h.store.lock("locked", date, otherOwner);
      assertThat(held.takenOverFrom()).isEmpty();
      assertThatThrownBy(() -> h.run(dag, "2024-01-08"))
          .isInstanceOf(RunLockedException.class)
          .hasMessage(
              "locked 2024-01-08 is being run by pid "
                  + other.pid()
                  + " on "
                  + otherOwner.hostname()
                  + ": wait for it to finish");
      assertThat(h.lines("trace.txt")).isEmpty();
    } finally {
      other.getOutputStream().close();
      other.waitFor();
    }
    RunResult result = h.run(dag, "2024-01-08");
    assertThat(result.state()).isEqualTo(DagRunState.SUCCESS);
    assertThat(h.notes)
        .contains("took over the lock of pid " + other.pid() + ", which is no longer running");
    // Released at the end of the run.
    assertThat(h.store.lockHolder("locked", date)).isEmpty();
  }

  @Test
  void backfillRunsEveryFireDateInOrderAndStopsAtAFailure() {
    String trace = h.file("trace.txt").toString();
    Dag dag =
        h.dag(
            "weekly",
            dagHeader("weekly")
                + "  - id: a\n    kind: bash\n    command: echo {{ ds }} >> "
                + trace
                + "; [ {{ ds }} != 2024-01-22 ]\n");
    List<RunResult> runs =
        h.runner()
            .backfill(dag, LocalDate.parse("2024-01-01"), LocalDate.parse("2024-01-14"), Map.of());
    // Mondays in [Jan 1, Jan 14]: the 1st and the 8th.
    assertThat(runs)
        .extracting(RunResult::logicalDate)
        .containsExactly(LocalDate.parse("2024-01-01"), LocalDate.parse("2024-01-08"));
    assertThat(h.lines("trace.txt")).containsExactly("2024-01-01", "2024-01-08");

    runs =
        h.runner()
            .backfill(dag, LocalDate.parse("2024-01-02"), LocalDate.parse("2024-02-05"), Map.of());
    // The 8th is done (a no-op), the 15th runs, the 22nd fails, the 29th and Feb 5th wait.
    assertThat(runs)
        .extracting(RunResult::logicalDate)
        .containsExactly(
            LocalDate.parse("2024-01-08"),
            LocalDate.parse("2024-01-15"),
            LocalDate.parse("2024-01-22"));
    assertThat(runs.get(0).alreadyDone()).isTrue();
    assertThat(runs.get(2).state()).isEqualTo(DagRunState.FAILED);
    assertThat(h.lines("trace.txt"))
        .containsExactly("2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22");
    assertThat(h.store.dagRun("weekly", LocalDate.parse("2024-01-15")).orElseThrow().runType())
        .isEqualTo(RunType.BACKFILL);
  }

  @Test
  void catchupRunsEveryMissedIntervalElseOnlyTheLatest() {
    String trace = h.file("trace.txt").toString();
    String tasks =
        "tasks:\n  - id: a\n    kind: bash\n    command: echo {{ dag_ds }} >> " + trace + "\n";
    tasks = tasks.replace("{{ dag_ds }}", "{{ ds }}");
    // Saturday 2024-01-20: the Monday intervals of Jan 1 and Jan 8 have ended, Jan 15's ends on the
    // 22nd.
    RunSettings saturday =
        h.settings.withClock(Clock.fixed(Instant.parse("2024-01-20T10:00:00Z"), ZoneOffset.UTC));
    Dag catchup =
        h.dag("catchup", "dag_id: catchup\nschedule: \"0 0 * * 1\"\ncatchup: true\n" + tasks);
    Dag latest = h.dag("latest", "dag_id: latest\nschedule: \"0 0 * * 1\"\n" + tasks);
    assertThat(h.runner(saturday).runDue(catchup, Map.of()))
        .extracting(RunResult::logicalDate)
        .containsExactly(LocalDate.parse("2024-01-01"), LocalDate.parse("2024-01-08"));
    assertThat(h.runner(saturday).runDue(latest, Map.of()))
        .extracting(RunResult::logicalDate)
        .containsExactly(LocalDate.parse("2024-01-08"));
    assertThat(h.lines("trace.txt")).containsExactly("2024-01-01", "2024-01-08", "2024-01-08");
    assertThat(h.store.dagRun("catchup", LocalDate.parse("2024-01-01")).orElseThrow().runType())
        .isEqualTo(RunType.SCHEDULED);
  }

  @Test
  void templatesRenderTheRunsDatesParamsAndOutputs() throws Exception {
    String out = h.file("rendered.txt").toString();
    Dag dag =
        h.dag(
            "tpl",
            """
        dag_id: tpl
        schedule: "0 0 * * 1"
        params:
          days: 28
          rate: 0.25
          on: true
        tasks:
          - id: up
            kind: empty
          - id: show
            kind: bash
            depends_on: [up]
            env:
              LABEL: "{{ params.days }}d"
            command: >-
              echo {{ ds }} {{ ds_nodash }} {{ prev_ds }} {{ next_ds }} {{ data_interval_start }}
              {{ data_interval_end }} {{ macros.ds_add(ds, -3) }} {{ macros.ds_add(next_ds, 1) }}
              {{ params.days }} {{ params.rate }} {{ params.on }} $LABEL
              {{ task_output('up') }} {{ prev_task_output('show') }} {{ run_root }} $MLPROOF_OUTPUT > @OUT@
        """
                .replace("@OUT@", out));
    RunResult result =
        h.runner()
            .run(
                dag,
                LocalDate.parse("2024-01-08"),
                RunType.MANUAL,
                RunConf.resolve(dag, "{\"days\": 14}"));
    assertThat(result.state()).isEqualTo(DagRunState.SUCCESS);
    String runs = h.root.resolve("runs").toString();
    assertThat(Files.readString(Path.of(out)).trim())
        .isEqualTo(
            "2024-01-08 20240108 2024-01-01 2024-01-15 2024-01-08 2024-01-15 2024-01-05 2024-01-16 14 0.25 true 14d "
                + runs
                + "/tpl/2024-01-08/up "
                + runs
                + "/tpl/2024-01-01/show "
                + runs
                + " "
                + runs
                + "/tpl/2024-01-08/show");
  }

  @Test
  void confIsCheckedAgainstTheDeclaredParams() {
    Dag dag =
        h.dag(
            "conf",
            "dag_id: conf\nschedule: '@daily'\nparams:\n  days: 28\n  cutoff: {type: date}\n"
                + "tasks:\n  - id: a\n    kind: empty\n");
    assertThatThrownBy(
            () -> RunConf.resolve(dag, "{\"days\": \"many\", \"cutoff\": \"2024-01-01\"}"))
        .hasMessage("--conf param 'days' must be of type integer, not \"many\"");
    assertThatThrownBy(() -> RunConf.resolve(dag, "{\"dayz\": 3}"))
        .hasMessage(
            "--conf sets unknown param 'dayz' (did you mean 'days'?): conf declares days, cutoff");
    assertThatThrownBy(() -> RunConf.resolve(dag, null))
        .hasMessage(
            "param 'cutoff' of conf has no default: pass it with --conf '{\"cutoff\": ...}' (type date)");
    assertThatThrownBy(() -> RunConf.resolve(dag, "[1]"))
        .hasMessage("--conf must be a JSON object, e.g. --conf '{\"lookback_days\": 90}'");
    assertThat(RunConf.resolve(dag, "{\"cutoff\": \"2024-03-01\"}"))
        .isEqualTo(Map.of("days", 28L, "cutoff", LocalDate.parse("2024-03-01")));
  }

  @Test
  void aDateBeforeTheStartDateIsInvalid() {
    Dag dag = h.dag("early", dagHeader("early") + traced("a", "", ""));
    assertThatThrownBy(() -> h.run(dag, "2023-12-25"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "logical date 2023-12-25 is before the start_date of early (2024-01-01): use a later date");
  }
}
