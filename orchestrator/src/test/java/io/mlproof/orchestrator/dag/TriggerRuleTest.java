package io.mlproof.orchestrator.dag;

import static io.mlproof.orchestrator.dag.TriggerRule.Decision.RUN;
import static io.mlproof.orchestrator.dag.TriggerRule.Decision.SKIP;
import static io.mlproof.orchestrator.dag.TriggerRule.Decision.WAIT;
import static io.mlproof.orchestrator.state.TaskState.FAILED;
import static io.mlproof.orchestrator.state.TaskState.NONE;
import static io.mlproof.orchestrator.state.TaskState.RUNNING;
import static io.mlproof.orchestrator.state.TaskState.SKIPPED;
import static io.mlproof.orchestrator.state.TaskState.SUCCESS;
import static io.mlproof.orchestrator.state.TaskState.UP_FOR_RETRY;
import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.orchestrator.state.TaskState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Airflow's trigger rules, including the decisions taken before every upstream has finished. */
class TriggerRuleTest {

  @Test
  void allSuccess() {
    assertThat(TriggerRule.ALL_SUCCESS.evaluate(List.of())).isEqualTo(RUN);
    assertThat(TriggerRule.ALL_SUCCESS.evaluate(List.of(SUCCESS, SUCCESS))).isEqualTo(RUN);
    assertThat(TriggerRule.ALL_SUCCESS.evaluate(List.of(SUCCESS, RUNNING))).isEqualTo(WAIT);
    assertThat(TriggerRule.ALL_SUCCESS.evaluate(List.of(UP_FOR_RETRY))).isEqualTo(WAIT);
    // Decided early: one failure is enough, whatever the others are doing.
    assertThat(TriggerRule.ALL_SUCCESS.evaluate(List.of(FAILED, RUNNING)))
        .isEqualTo(TriggerRule.Decision.UPSTREAM_FAILED);
    assertThat(TriggerRule.ALL_SUCCESS.evaluate(List.of(TaskState.UPSTREAM_FAILED, SUCCESS)))
        .isEqualTo(TriggerRule.Decision.UPSTREAM_FAILED);
    assertThat(TriggerRule.ALL_SUCCESS.evaluate(List.of(SKIPPED, NONE))).isEqualTo(SKIP);
  }

  @Test
  void allDone() {
    assertThat(
            TriggerRule.ALL_DONE.evaluate(
                List.of(FAILED, SKIPPED, TaskState.UPSTREAM_FAILED, SUCCESS)))
        .isEqualTo(RUN);
    assertThat(TriggerRule.ALL_DONE.evaluate(List.of(FAILED, RUNNING))).isEqualTo(WAIT);
    assertThat(TriggerRule.ALL_DONE.evaluate(List.of(UP_FOR_RETRY))).isEqualTo(WAIT);
  }

  @Test
  void oneFailed() {
    assertThat(TriggerRule.ONE_FAILED.evaluate(List.of(FAILED, RUNNING))).isEqualTo(RUN);
    assertThat(TriggerRule.ONE_FAILED.evaluate(List.of(TaskState.UPSTREAM_FAILED))).isEqualTo(RUN);
    assertThat(TriggerRule.ONE_FAILED.evaluate(List.of(SUCCESS, RUNNING))).isEqualTo(WAIT);
    assertThat(TriggerRule.ONE_FAILED.evaluate(List.of(SUCCESS, SKIPPED))).isEqualTo(SKIP);
  }

  @Test
  void noneFailed() {
    assertThat(TriggerRule.NONE_FAILED.evaluate(List.of(SUCCESS, SKIPPED))).isEqualTo(RUN);
    assertThat(TriggerRule.NONE_FAILED.evaluate(List.of(SKIPPED, RUNNING))).isEqualTo(WAIT);
    assertThat(TriggerRule.NONE_FAILED.evaluate(List.of(FAILED, RUNNING)))
        .isEqualTo(TriggerRule.Decision.UPSTREAM_FAILED);
  }
}
