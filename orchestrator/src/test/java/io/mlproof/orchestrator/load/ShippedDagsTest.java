package io.mlproof.orchestrator.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.pipelines.core.Pipelines;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The DAGs in the repository's {@code dags/} folder load, as {@code mlproof dags validate} checks
 * in CI.
 */
class ShippedDagsTest {

  /** The repository's DAG folder (tests run in the module's directory). */
  static final Path DAGS = Path.of("..", "dags");

  /** The pipelines the shipped DAGs use: the contract between the stages. */
  static final List<String> CONTRACT =
      List.of("extract", "features", "validate", "train", "bless", "score");

  @Test
  void everyShippedDagIsValid() {
    // A pipeline missing from META-INF/services fails here by name, not as a skip.
    assertThat(Pipelines.all().keySet()).containsAll(CONTRACT);
    DagLoader.Report report = DagLoader.standard().loadAll(DAGS);
    assertThat(report.errors()).extracting(DefinitionError::toString).isEmpty();
    assertThat(report.dags())
        .extracting(Dag::dagId)
        .contains("churn_training", "demo", "churn_backtest", "churn_ab_test", "demo_ab_test");
  }
}
