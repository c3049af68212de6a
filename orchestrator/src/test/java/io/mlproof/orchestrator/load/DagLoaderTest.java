package io.mlproof.orchestrator.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.orchestrator.core.ParamType;
import io.mlproof.orchestrator.core.RunnerKind;
import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.dag.TaskDef;
import io.mlproof.orchestrator.dag.TriggerRule;
import io.mlproof.orchestrator.testing.DagFolder;
import io.mlproof.pipelines.core.InvalidInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of invalid definition, with the exact message, file, line and column. */
class DagLoaderTest {

  @TempDir Path tmp;
  DagFolder dags;

  @BeforeEach
  void setUp() {
    dags = DagFolder.withDefaults(tmp.resolve("dags"));
  }

  private List<String> errors(String yaml) {
    return dags.write("t.yaml", yaml).errors("t");
  }

  @Test
  void loadsAValidDagWithDefaultsMerged() {
    dags.write(
        "t.yaml",
        """
        dag_id: t
        description: two steps
        schedule: "0 0 * * 1"
        default_args:
          retries: 2
          retry_exponential_backoff: true
        params:
          lookback_days: 90
          label: {type: string, default: churn, description: what we predict}
          cutoff: {type: date}
        runner:
          options:
            targetParallelism: 3
        tasks:
          - id: first
            pipeline: touch
            options:
              count: 2
          - id: second
            pipeline: touch
            depends_on: [first]
            trigger_rule: all_done
            retries: 0
            options:
              input: "{{ task_output('first') }}"
        """);
    Dag dag = dags.load("t");
    assertThat(dag.dagId()).isEqualTo("t");
    assertThat(dag.startDate()).isEqualTo(LocalDate.of(2024, 1, 1));
    assertThat(dag.schedule().expression()).isEqualTo("0 0 * * 1");
    assertThat(dag.tasks()).extracting(TaskDef::id).containsExactly("first", "second");
    TaskDef first = dag.task("first").orElseThrow();
    TaskDef second = dag.task("second").orElseThrow();
    // retries from the DAG's default_args; retry_delay from defaults.yaml; the task overrides
    // retries.
    assertThat(first.retryPolicy().retries()).isEqualTo(2);
    assertThat(first.retryPolicy().retryDelay()).isEqualTo(Duration.ZERO);
    assertThat(first.retryPolicy().exponentialBackoff()).isTrue();
    assertThat(second.retryPolicy().retries()).isZero();
    assertThat(second.triggerRule()).isEqualTo(TriggerRule.ALL_DONE);
    assertThat(first.triggerRule()).isEqualTo(TriggerRule.ALL_SUCCESS);
    assertThat(dag.params().get("lookback_days").type()).isEqualTo(ParamType.INTEGER);
    assertThat(dag.params().get("lookback_days").defaultValue()).contains(90L);
    assertThat(dag.params().get("label").defaultValue()).contains("churn");
    assertThat(dag.params().get("cutoff").defaultValue()).isEmpty();
    // The DAG's runner options override the defaults' for the same runner.
    assertThat(dag.runner().kind()).isEqualTo(RunnerKind.DIRECT);
    assertThat(dag.runner().options()).isEqualTo(Map.of("targetParallelism", "3"));
    // --runner flink takes the defaults' Flink options; the DAG's options were for Direct.
    assertThat(dag.runnerFor(Optional.of(RunnerKind.FLINK)).options())
        .isEqualTo(Map.of("parallelism", "2", "flinkMaster", "[local]"));
  }

  @Test
  void unknownTopLevelKeySuggestsTheClosest() {
    assertThat(
            errors(
                """
        dag_id: t
        schedul: "@daily"
        tasks:
          - id: a
            kind: empty
        """))
        .containsExactly(
            "dags/t.yaml:1:1: missing 'schedule' (here or in defaults.yaml)",
            "dags/t.yaml:2:1: unknown key 'schedul' in the DAG (did you mean 'schedule'?): valid keys are dag_id,"
                + " description, schedule, start_date, catchup, max_active_tasks, default_args, params, runner, tasks");
  }

  @Test
  void unknownKeyInDefaultArgs() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        default_args:
          retires: 3
        tasks:
          - id: a
            kind: empty
        """))
        .containsExactly(
            "dags/t.yaml:4:3: unknown key 'retires' in default_args (did you mean 'retries'?): valid keys are"
                + " retries, retry_delay, retry_exponential_backoff, max_retry_delay, execution_timeout");
  }

  @Test
  void unknownTaskKeyNamesTheKindThatHasIt() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        tasks:
          - id: a
            pipeline: touch
            command: echo hi
        """))
        .containsExactly(
            "dags/t.yaml:6:5: unknown key 'command' in task 'a' (kind pipeline) ('command' is a key of kind bash):"
                + " valid keys are id, kind, description, depends_on, trigger_rule, retries, retry_delay,"
                + " retry_exponential_backoff, max_retry_delay, execution_timeout, options, pipeline");
  }

  @Test
  void cycleIsReportedWithItsPath() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        tasks:
          - id: a
            kind: empty
            depends_on: [c]
          - id: b
            kind: empty
            depends_on: [a]
          - id: c
            kind: empty
            depends_on: [b]
        """))
        .containsExactly(
            "dags/t.yaml:4:9: dependency cycle: a -> b -> c -> a: remove one of these depends_on entries");
  }

  @Test
  void missingUpstreamSuggestsTheClosestTask() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        tasks:
          - id: features
            kind: empty
          - id: train
            kind: empty
            depends_on: [feature]
        """))
        .containsExactly(
            "dags/t.yaml:8:18: task 'train' depends on unknown task 'feature' (did you mean 'features'?):"
                + " tasks are features, train");
  }

  @Test
  void unknownPipeline() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        tasks:
          - id: a
            pipeline: tuoch
        """))
        .containsExactly(
            "dags/t.yaml:5:15: task 'a': unknown pipeline 'tuoch' (did you mean 'touch'?): registered pipelines are "
                + String.join(", ", io.mlproof.pipelines.core.Pipelines.all().keySet()));
  }

  @Test
  void unknownOptionOfAPipeline() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        tasks:
          - id: a
            pipeline: touch
            options:
              cuont: 3
        """))
        .containsExactly(
            "dags/t.yaml:7:7: task 'a': unknown option 'cuont' for pipeline 'touch' (did you mean 'count'?): its"
                + " options are count, failWith, input, untilInterrupted (and Beam's general options)");
  }

  @Test
  void optionsTheSchedulerSetsAreRefused() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        tasks:
          - id: a
            pipeline: touch
            options:
              output: /tmp/x
        """))
        .containsExactly(
            "dags/t.yaml:7:7: task 'a': option 'output' is set by the scheduler (output:"
                + " <run_root>/<dag_id>/<ds>/<task_id>; runner: the DAG's runner): remove it");
  }

  @Test
  void optionValueOfTheWrongType() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        tasks:
          - id: a
            pipeline: touch
            options:
              count: many
        """))
        .containsExactly(
            "dags/t.yaml:7:14: task 'a': option 'count' of pipeline 'touch' must be an integer, not 'many'");
  }

  @Test
  void requiredOptionsOfAPipeline() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        tasks:
          - id: a
            pipeline: needs_input
            options:
              modelUri: gs://m
          - id: b
            pipeline: needs_input
        """))
        .containsExactly(
            "dags/t.yaml:7:7: task 'a': pipeline 'needs_input' requires option 'examples' (The examples to read.)",
            "dags/t.yaml:8:5: task 'b': pipeline 'needs_input' requires option 'examples' (The examples to read.)",
            "dags/t.yaml:8:5: task 'b': pipeline 'needs_input' requires option 'model' or 'modelUri' (A model directory.)");
  }

  @Test
  void badCronExpressions() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "0 0 * * 8"
        tasks:
          - id: a
            kind: empty
        """))
        .singleElement()
        .asString()
        .startsWith("dags/t.yaml:2:11: schedule: bad cron expression '0 0 * * 8': ")
        .endsWith(
            " (use 5 fields: minute hour day-of-month month day-of-week, e.g. '0 0 * * 1', or a preset"
                + " such as @weekly)");
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "*/15 * * * *"
        tasks:
          - id: a
            kind: empty
        """))
        .containsExactly(
            "dags/t.yaml:2:11: schedule: cron expression '*/15 * * * *' fires more than once a"
                + " day (its minute field is not a single value): runs are keyed by date, so use a single minute and"
                + " hour, e.g. '0 0 * * 1'");
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@hourly"
        tasks:
          - id: a
            kind: empty
        """))
        .containsExactly(
            "dags/t.yaml:2:11: schedule: unknown schedule preset '@hourly': use one of @daily,"
                + " @weekly, @monthly, @quarterly, @yearly or a cron expression such as '0 0 * * 1' (runs are keyed"
                + " by date: at most one a day)");
  }

  @Test
  void paramsOfTheWrongType() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        params:
          days: {type: integer, default: '5'}
          rate: {type: number, default: high}
          name: {type: string, default: 5}
          day: {type: date, default: 2024-13-01}
          odd: {type: list, default: 1}
        tasks:
          - id: a
            kind: empty
        """))
        .containsExactly(
            "dags/t.yaml:4:34: param 'days' default must be an integer, not '5'",
            "dags/t.yaml:5:33: param 'rate' default must be a number, not 'high'",
            "dags/t.yaml:6:33: param 'name' default must be a string, not '5' (quote it)",
            "dags/t.yaml:7:30: param 'day' default must be a date YYYY-MM-DD, not '2024-13-01'",
            "dags/t.yaml:8:15: param 'odd' type 'list' is not valid: use one of string, integer, number, boolean, date");
  }

  @Test
  void unknownTemplateNameIsPointedAtItsColumn() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        tasks:
          - id: a
            kind: bash
            command: echo {{ ds }} {{ dss }}
        """))
        .containsExactly(
            "dags/t.yaml:6:28: task 'a': command: unknown template expression '{{ dss }}': use one of "
                + "{{ ds }}, {{ ds_nodash }}, {{ prev_ds }}, {{ next_ds }}, {{ data_interval_start }},"
                + " {{ data_interval_end }}, {{ run_root }}, {{ params.NAME }}, {{ macros.ds_add(ds, N) }},"
                + " {{ task_output('TASK') }}, {{ prev_task_output('TASK') }}");
  }

  @Test
  void jinjaStatementsAreRefused() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        tasks:
          - id: a
            kind: bash
            command: "{% if x %}echo{% endif %}"
        """))
        .containsExactly(
            "dags/t.yaml:6:15: task 'a': command: '{%' is not supported: templates only have"
                + " {{ expression }} parts (Jinja statements and comments are not allowed)");
  }

  @Test
  void taskOutputNeedsADependency() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        tasks:
          - id: features
            kind: empty
          - id: train
            pipeline: touch
            options:
              input: "{{ task_output('features') }}/examples"
        """))
        .containsExactly(
            "dags/t.yaml:9:15: task 'train': uses task_output('features') but does not depend"
                + " on it: add 'features' to its depends_on");
  }

  @Test
  void unknownParamAndTaskInTemplates() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        params:
          lookback_days: 90
        tasks:
          - id: a
            kind: bash
            command: "echo {{ params.lookback }} {{ prev_task_output('b') }}"
        """))
        .containsExactly(
            "dags/t.yaml:8:20: task 'a': unknown param 'lookback' in {{ params.lookback }} (did you mean"
                + " 'lookback_days'?): declared params are lookback_days",
            "dags/t.yaml:8:42: task 'a': prev_task_output('b') names an unknown task: tasks are a");
  }

  @Test
  void duplicateTaskIdsAndKeys() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        tasks:
          - id: a
            kind: empty
          - id: a
            kind: empty
            kind: bash
        """))
        .containsExactly(
            "dags/t.yaml:6:9: duplicate task id 'a' (first at line 4): task ids must be unique",
            "dags/t.yaml:8:5: duplicate key 'kind' in a task (first at line 7)");
  }

  @Test
  void dagIdMustMatchTheFileName() {
    assertThat(
            errors(
                """
        dag_id: other
        schedule: "@daily"
        tasks:
          - id: a
            kind: empty
        """))
        .containsExactly(
            "dags/t.yaml:1:9: dag_id 'other' must match the file name: rename the file to"
                + " other.yaml or set dag_id: t");
  }

  @Test
  void yamlSyntaxErrorsHaveALocation() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily
        tasks: []
        """))
        .singleElement()
        .asString()
        .startsWith("dags/t.yaml:4:1: invalid YAML: ");
  }

  @Test
  void badTriggerRuleDurationAndRetries() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        tasks:
          - id: a
            kind: empty
            trigger_rule: all_sucess
            retry_delay: 5 minutes
            retries: -1
        """))
        .containsExactly(
            "dags/t.yaml:6:19: task 'a': trigger_rule 'all_sucess' is not valid (did you mean 'all_success'?): use"
                + " one of all_success, all_done, one_failed, none_failed",
            "dags/t.yaml:7:18: retry_delay must be a duration such as 30s, 5m, 1h30m or a number of seconds,"
                + " not '5 minutes'",
            "dags/t.yaml:8:14: retries must be an integer >= 0, not '-1'");
  }

  @Test
  void runnerNameAndOptionsAreChecked() {
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        runner:
          name: spark
          options:
            targetParalelism: 2
        tasks:
          - id: a
            kind: empty
        """))
        .containsExactly(
            "dags/t.yaml:4:9: runner name 'spark' is not valid: use one of direct, flink",
            "dags/t.yaml:6:5: unknown option 'targetParalelism' in runner options for the direct runner (did you"
                + " mean 'targetParallelism'?): its options include blockOnRun, enforceEncodability,"
                + " enforceImmutability, targetParallelism");
  }

  @Test
  void errorsInDefaultsPointAtTheDefaultsFile() {
    dags.write(
        "defaults.yaml",
        """
        start_date: 2024-01-01
        default_args:
          retry_dely: 5m
        """);
    assertThat(
            errors(
                """
        dag_id: t
        schedule: "@daily"
        tasks:
          - id: a
            kind: empty
        """))
        .containsExactly(
            "dags/defaults.yaml:3:3: unknown key 'retry_dely' in default_args (did you mean"
                + " 'retry_delay'?): valid keys are retries, retry_delay, retry_exponential_backoff, max_retry_delay,"
                + " execution_timeout");
  }

  @Test
  void unknownDagNamesTheDagsThere() {
    dags.write("demo.yaml", "dag_id: demo\n");
    assertThatThrownBy(() -> dags.load("dmeo"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "no DAG 'dmeo' in " + dags.path() + " (did you mean 'demo'?): DAGs there are demo");
  }

  @Test
  void loadAllKeepsGoodDagsAndReportsBadOnes() {
    dags.write(
        "good.yaml",
        """
        dag_id: good
        schedule: "@daily"
        tasks:
          - id: a
            kind: empty
        """);
    dags.write(
        "bad.yaml",
        """
        dag_id: bad
        schedule: "@daily"
        tasks:
          - id: a
            kind: emtpy
        """);
    DagLoader.Report report = DagFolder.loader().loadAll(dags.path());
    assertThat(report.dags()).extracting(Dag::dagId).containsExactly("good");
    assertThat(report.errors())
        .extracting(dags::relative)
        .containsExactly(
            "dags/bad.yaml:5:11: task 'a': unknown kind 'emtpy' (did you mean 'empty'?): use one of bash, empty,"
                + " file_sensor, pipeline, report, sql_sensor");
  }
}
