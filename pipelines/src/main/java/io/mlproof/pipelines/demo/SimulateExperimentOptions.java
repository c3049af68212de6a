package io.mlproof.pipelines.demo;

import io.mlproof.pipelines.core.LogicalDateOptions;
import io.mlproof.pipelines.core.TaskOptions;
import io.mlproof.pipelines.core.WarehouseOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code mlproof run simulate_experiment} (the demo DAG's campaign, docs/DATA.md). */
public interface SimulateExperimentOptions
    extends TaskOptions, WarehouseOptions, LogicalDateOptions {

  @Description(
      "Output directory of the assign task: the experiment id and the assignments table it wrote.")
  @Validation.Required
  String getAssignments();

  void setAssignments(String value);

  @Description("Planted effect: the share of targeted users' churn the campaign prevents.")
  @Default.Double(0.3)
  double getSaveRate();

  void setSaveRate(double value);

  @Description("Seed of the outcome draws.")
  @Default.Long(DemoSpec.DEFAULT_SEED)
  long getSeed();

  void setSeed(long value);
}
