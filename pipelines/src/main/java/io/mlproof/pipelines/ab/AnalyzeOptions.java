package io.mlproof.pipelines.ab;

import io.mlproof.pipelines.core.LogicalDateOptions;
import io.mlproof.pipelines.core.TaskOptions;
import io.mlproof.pipelines.core.WarehouseOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code mlproof run analyze}. */
public interface AnalyzeOptions extends TaskOptions, WarehouseOptions, LogicalDateOptions {

  @Description(
      "Output directory of the assign task: the assignments, the experiment id and the planned allocation.")
  @Validation.Required
  String getAssignments();

  void setAssignments(String value);

  @Description(
      "SQL template of the outcomes (entity_id, churned as boolean or 0/1, and the covariate column);"
          + " {{ params.experiment_id }} is the assign task's experiment id.")
  @Default.String("ab/outcomes.sql")
  String getOutcomes();

  void setOutcomes(String value);

  @Description("Outcome column measured before assignment, for CUPED (empty = no CUPED).")
  @Default.String("pre_sessions")
  String getCovariate();

  void setCovariate(String value);

  @Description("Two-sided significance level (Holm-adjusted over several treatment arms).")
  @Default.Double(0.05)
  double getAlpha();

  void setAlpha(double value);

  @Description("Power for the MDE the verdict quotes.")
  @Default.Double(0.8)
  double getPower();

  void setPower(double value);

  @Description(
      "Largest share of assigned entities that may lack an outcome row before the run fails.")
  @Default.Double(0.01)
  double getMaxMissingFraction();

  void setMaxMissingFraction(double value);
}
