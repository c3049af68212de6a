package io.mlproof.orchestrator.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.task.TaskKinds;
import io.mlproof.pipelines.core.LogicalDateOptions;
import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.Pipelines;
import io.mlproof.pipelines.core.TaskOptions;
import io.mlproof.pipelines.core.WarehouseOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.api.Test;

/** The DAGs in the repository's {@code dags/} folder load, as {@code mlproof dags validate} checks in CI. */
class ShippedDagsTest {

  /** The repository's DAG folder (tests run in the module's directory). */
  static final Path DAGS = Path.of("..", "dags");

  /** The pipelines the shipped DAGs use: the contract between the stages. */
  static final List<String> CONTRACT = List.of("extract", "features", "validate", "train", "bless", "score");

  @Test
  void everyShippedDagIsValid() {
    List<String> missing = CONTRACT.stream().filter(p -> !Pipelines.all().containsKey(p)).toList();
    // Until every stage is merged, option names cannot be checked; the test below checks the rest.
    assumeTrue(missing.isEmpty(), "pipelines not registered yet: " + missing);
    DagLoader.Report report = DagLoader.standard().loadAll(DAGS);
    assertThat(report.errors()).extracting(DefinitionError::toString).isEmpty();
    assertThat(report.dags()).extracting(Dag::dagId).contains("churn_training", "demo");
  }

  /**
   * With stand-ins for pipelines not registered yet, everything but those pipelines' option names
   * is checked: keys, schedules, params, dependencies, cycles, templates, task_output dependencies.
   */
  @Test
  void shippedDagsAreValidApartFromOptionsOfPipelinesNotYetRegistered() {
    Map<String, MlproofPipeline> pipelines = new TreeMap<>(Pipelines.all());
    CONTRACT.forEach(name -> pipelines.putIfAbsent(name, new StandIn(name)));
    DagLoader.Report report = new DagLoader(pipelines, TaskKinds.all()).loadAll(DAGS);
    List<String> errors = report.errors().stream()
        .map(DefinitionError::toString)
        .filter(e -> CONTRACT.stream().filter(p -> pipelines.get(p) instanceof StandIn)
            .noneMatch(p -> e.contains("for pipeline '" + p + "'") || e.contains("pipeline '" + p + "' requires")))
        .toList();
    assertThat(errors).isEmpty();
  }

  /** Options every stage has; stand-in pipelines accept only these. */
  public interface StandInOptions extends TaskOptions, WarehouseOptions, LogicalDateOptions {}

  /** A registered name with no real pipeline behind it, for structure checks. */
  record StandIn(String name) implements MlproofPipeline {
    @Override
    public String description() {
      return "stand-in";
    }

    @Override
    public Class<? extends PipelineOptions> optionsClass() {
      return StandInOptions.class;
    }

    @Override
    public void run(String[] args) {
      throw new UnsupportedOperationException("stand-in for " + name);
    }
  }
}
