package io.mlproof.orchestrator.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.orchestrator.core.RunnerKind;
import io.mlproof.orchestrator.core.RunnerSpec;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which task tries have a job on a cluster that the scheduler must cancel, and the name it is found
 * by. Cancelling itself is checked against a real session cluster in FlinkClusterIT.
 */
class FlinkJobTest {
  private static final LocalDate DS = LocalDate.parse("2024-04-29");

  private static RunnerSpec runner(RunnerKind kind, Map<String, String> options) {
    return new RunnerSpec(kind, options, List.of());
  }

  @Test
  void aTryOnAClusterHasAJobNamedByDagDateTaskAndTry() {
    RunnerSpec flink = runner(RunnerKind.FLINK, Map.of("flinkMaster", "jm.internal:8081"));
    assertThat(FlinkJob.of(flink, "demo", DS, "features", 2))
        .contains(new FlinkJob("jm.internal:8081", "mlproof-demo-2024-04-29-features-try2"));
  }

  @Test
  void anEmbeddedClusterOrNoMasterOrAnotherRunnerHasNoJobToCancel() {
    for (RunnerSpec runner :
        List.of(
            runner(RunnerKind.FLINK, Map.of("flinkMaster", "[local]")),
            runner(RunnerKind.FLINK, Map.of("flinkMaster", "[auto]")),
            runner(RunnerKind.FLINK, Map.of("parallelism", "2")),
            runner(RunnerKind.DIRECT, Map.of("flinkMaster", "jm.internal:8081")))) {
      assertThat(FlinkJob.of(runner, "demo", DS, "features", 1)).as(runner.toString()).isEmpty();
    }
  }

  @Test
  void theJobsNameReplacesOneTheRunnerOptionsSetAndKeepsTheOtherOptionsInOrder() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("parallelism", "2");
    options.put("jobName", "shared-by-every-task");
    options.put("flinkMaster", "127.0.0.1:40123");
    RunnerSpec runner = runner(RunnerKind.FLINK, options);
    FlinkJob job = FlinkJob.of(runner, "demo", DS, "train", 1).orElseThrow();
    assertThat(job.named(runner).arguments())
        .containsExactly(
            "--runner=FlinkRunner",
            "--parallelism=2",
            "--jobName=mlproof-demo-2024-04-29-train-try1",
            "--flinkMaster=127.0.0.1:40123");
  }
}
