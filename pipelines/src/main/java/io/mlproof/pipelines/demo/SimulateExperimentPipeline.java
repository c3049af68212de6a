package io.mlproof.pipelines.demo;

import io.mlproof.pipelines.ab.AssignPipeline;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.OptionsParser;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.Manifest;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code mlproof run simulate_experiment}: {@code mlproof demo simulate-experiment} as a DAG task,
 * so the demo's A/B DAG goes from the model to a verdict with no manual step between assign and
 * analyze. It reads the experiment id, the assignment date and the assignments table from the
 * assign task's manifest, and refuses any warehouse but an mlproof demo warehouse: it writes
 * invented outcomes, which must never land next to real ones.
 */
public final class SimulateExperimentPipeline implements MlproofPipeline {
  public static final String NAME = "simulate_experiment";

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
  public Class<? extends PipelineOptions> optionsClass() {
    return SimulateExperimentOptions.class;
  }

  @Override
  public void run(String[] args) {
    run(OptionsParser.parse(NAME, args, SimulateExperimentOptions.class), System.out);
  }

  public static ExperimentSimulator.Summary run(
      SimulateExperimentOptions options, PrintStream out) {
    FileSystems.setDefaultPipelineOptions(options);
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
    LocalDate assignedOn = LocalDate.parse(assign.getLogicalDate());
    TaskOutput output = TaskOutput.begin(options.getOutput(), TaskOutput.Owner.of(NAME, options));
    try {
      ExperimentSimulator.Summary s =
          ExperimentSimulator.simulate(
              warehouse, experimentId, assignedOn, options.getSaveRate(), options.getSeed(), table);
      output.commit(
          Manifest.newBuilder()
              .setPipeline(NAME)
              .setTaskId(options.getTaskId())
              .setDagId(options.getDagId())
              .setLogicalDate(options.getLogicalDate() == null ? "" : options.getLogicalDate())
              .setRunner("driver")
              .putCounters("users", s.users())
              .putCounters("churned", s.churned())
              .putCounters("targeted", s.targeted())
              .putCounters("targeted_churned", s.targetedChurned())
              .putAttributes(AssignPipeline.EXPERIMENT_ATTRIBUTE, experimentId)
              .putAttributes("assigned_on", assignedOn.toString())
              .putAttributes("planted_save_rate", Double.toString(options.getSaveRate()))
              .putAttributes("seed", Long.toString(options.getSeed()))
              .putAttributes("outcomes_table", ExperimentSimulator.OUTCOMES_TABLE)
              .build());
      out.printf(
          Locale.ROOT,
          "simulated experiment %s (assigned on %s): %,d users, %,d churned; %,d targeted, %,d of"
              + " them churned (planted save rate %s), in %s of %s%n",
          experimentId,
          assignedOn,
          s.users(),
          s.churned(),
          s.targeted(),
          s.targetedChurned(),
          options.getSaveRate(),
          ExperimentSimulator.OUTCOMES_TABLE,
          warehouse);
      return s;
    } catch (RuntimeException e) {
      output.abort();
      throw e;
    }
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
