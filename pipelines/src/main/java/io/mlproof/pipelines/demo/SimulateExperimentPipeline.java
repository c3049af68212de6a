package io.mlproof.pipelines.demo;

import io.mlproof.pipelines.ab.AssignPipeline;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.Stage;
import io.mlproof.pipelines.core.StageRun;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.Manifest;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;

/**
 * {@code mlproof run simulate_experiment}: {@code mlproof demo simulate-experiment} as a DAG task,
 * so the demo's A/B DAG goes from the model to a verdict with no manual step between assign and
 * analyze. It reads the experiment id, the assignment date and the assignments table from the
 * assign task's manifest, and refuses any warehouse but an mlproof demo warehouse: it writes
 * invented outcomes, which must never land next to real ones.
 *
 * <p>A one-element Beam pipeline: the simulation is one step ({@value #SIMULATE_STEP}, named in the
 * manifest's {@code single_machine_steps}), because it reads and replaces the experiment's rows of
 * one local DuckDB file in one transaction; a retried step replaces the same rows with the same
 * seeded draws. What it wrote comes back as the step's counters.
 */
public final class SimulateExperimentPipeline implements Stage<SimulateExperimentOptions> {
  public static final String NAME = "simulate_experiment";

  /** The one, inherently single-machine, step. */
  static final String SIMULATE_STEP = "SimulateOutcomes";

  static final String USERS = "users";
  static final String CHURNED = "churned";
  static final String TARGETED = "targeted";
  static final String TARGETED_CHURNED = "targeted_churned";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Demo only: write what the assigned users did after an A/B assignment, with a planted save rate,"
        + " into ab_outcomes of the demo warehouse (docs/DATA.md).";
  }

  @Override
  public Class<SimulateExperimentOptions> optionsType() {
    return SimulateExperimentOptions.class;
  }

  public static ExperimentSimulator.Summary run(
      SimulateExperimentOptions options, PrintStream out) {
    return summary(
        StageRun.execute(new SimulateExperimentPipeline(), options, out).getCountersMap());
  }

  @Override
  public Plan prepare(SimulateExperimentOptions options) {
    Path warehouse = demoWarehouse(options.getWarehouse());
    Manifest assign = TaskOutput.read(options.getAssignments());
    String experimentId = assign.getAttributesOrDefault(AssignPipeline.EXPERIMENT_ATTRIBUTE, "");
    String table = assign.getAttributesOrDefault(AssignPipeline.ASSIGNMENTS_TABLE_ATTRIBUTE, "");
    if (!assign.getPipeline().equals(AssignPipeline.NAME)
        || experimentId.isEmpty()
        || assign.getLogicalDate().isEmpty()) {
      throw new InvalidInputException(
          "--assignments="
              + options.getAssignments()
              + " is not an assign task's output"
              + " with an experiment id and a logical date: point it at the assign task");
    }
    if (table.isEmpty()) {
      throw new InvalidInputException(
          "the assign task "
              + options.getAssignments()
              + " wrote no assignments table"
              + " (--assignmentsTable was empty): the simulator reads the assignments from the warehouse");
    }
    return new SimulatePlan(
        new Experiment(
            warehouse.toString(),
            experimentId,
            LocalDate.parse(assign.getLogicalDate()),
            options.getSaveRate(),
            options.getSeed(),
            table));
  }

  /** What the simulation step needs: plain values, shipped to the worker. */
  record Experiment(
      String warehouse,
      String experimentId,
      LocalDate assignedOn,
      double saveRate,
      long seed,
      String assignmentsTable)
      implements Serializable {}

  private record SimulatePlan(Experiment experiment) implements Plan {

    @Override
    public void expand(Pipeline pipeline, TaskOutput output) {
      pipeline
          .apply("Experiment", Create.of(experiment.experimentId()))
          .apply(SIMULATE_STEP, ParDo.of(new SimulateFn(experiment)));
    }

    @Override
    public void finish(
        StageRun.Finished finished, TaskOutput output, Manifest.Builder manifest, PrintStream out) {
      ExperimentSimulator.Summary s = summary(finished.counters());
      manifest
          .putAttributes(AssignPipeline.EXPERIMENT_ATTRIBUTE, experiment.experimentId())
          .putAttributes("assigned_on", experiment.assignedOn().toString())
          .putAttributes("planted_save_rate", Double.toString(experiment.saveRate()))
          .putAttributes("seed", Long.toString(experiment.seed()))
          .putAttributes("outcomes_table", ExperimentSimulator.OUTCOMES_TABLE)
          .putAttributes("single_machine_steps", SIMULATE_STEP);
      out.printf(
          Locale.ROOT,
          "simulated experiment %s (assigned on %s): %,d users, %,d churned; %,d targeted, %,d of"
              + " them churned (planted save rate %s), in %s of %s%n",
          experiment.experimentId(),
          experiment.assignedOn(),
          s.users(),
          s.churned(),
          s.targeted(),
          s.targetedChurned(),
          experiment.saveRate(),
          ExperimentSimulator.OUTCOMES_TABLE,
          experiment.warehouse());
    }
  }

  /** Simulates on the worker and reports what it wrote as counters (each set, zeros included). */
  static final class SimulateFn extends DoFn<String, Void> {
    private static final long serialVersionUID = 1L;
    private final Experiment experiment;

    SimulateFn(Experiment experiment) {
      this.experiment = experiment;
    }

    @ProcessElement
    public void process(@Element String experimentId) {
      ExperimentSimulator.Summary s =
          ExperimentSimulator.simulate(
              Path.of(experiment.warehouse()),
              experimentId,
              experiment.assignedOn(),
              experiment.saveRate(),
              experiment.seed(),
              experiment.assignmentsTable());
      count(USERS, s.users());
      count(CHURNED, s.churned());
      count(TARGETED, s.targeted());
      count(TARGETED_CHURNED, s.targetedChurned());
    }

    private static void count(String name, long value) {
      Metrics.counter(SimulateExperimentPipeline.class, name).inc(value);
    }
  }

  static ExperimentSimulator.Summary summary(Map<String, Long> counters) {
    return new ExperimentSimulator.Summary(
        counters.getOrDefault(USERS, 0L),
        counters.getOrDefault(CHURNED, 0L),
        counters.getOrDefault(TARGETED, 0L),
        counters.getOrDefault(TARGETED_CHURNED, 0L));
  }

  /** The demo warehouse's file; anything else is refused before anything is written. */
  static Path demoWarehouse(String spec) {
    Path file = Warehouse.parse(spec).localFile().orElse(null);
    if (file == null || DemoWarehouse.readSpec(file).isEmpty()) {
      throw new InvalidInputException(
          "--warehouse="
              + spec
              + " is not an mlproof demo warehouse (`mlproof demo init`"
              + " builds one): the simulator invents outcomes and writes them only into a demo warehouse");
    }
    return file;
  }
}
