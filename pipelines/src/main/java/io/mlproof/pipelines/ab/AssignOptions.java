package io.mlproof.pipelines.ab;

import io.mlproof.pipelines.core.LogicalDateOptions;
import io.mlproof.pipelines.core.TaskOptions;
import io.mlproof.pipelines.core.WarehouseOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code mlproof run assign}. */
public interface AssignOptions extends TaskOptions, WarehouseOptions, LogicalDateOptions {

  @Description("Experiment id: the salt of the assignment hash and the key of the warehouse rows.")
  @Validation.Required
  String getExperimentId();

  void setExperimentId(String value);

  @Description(
      "Split over the arms, control first: 50/50, 90/10, 34/33/33 or control:80,email:10,discount:10.")
  @Default.String("50/50")
  String getAllocation();

  void setAllocation(String value);

  @Description("Hash buckets the arms share out (an arm's share is rounded to whole buckets).")
  @Default.Integer(10000)
  int getBuckets();

  void setBuckets(int value);

  @Description(
      "SQL template of the eligible entities (one column, entity_id): bundled name or file path.")
  @Default.String("ab/eligible.sql")
  String getEligibility();

  void setEligibility(String value);

  @Description("Output directory of the score task whose ranking decides who the model flags.")
  @Validation.Required
  String getScores();

  void setScores(String value);

  @Description(
      "Flag the top fraction of the scored entities by rank (ignored when --targetThreshold is set).")
  @Default.Double(0.1)
  double getTargetTopFraction();

  void setTargetTopFraction(double value);

  @Description("Flag entities whose score is at least this (empty = use --targetTopFraction).")
  Double getTargetThreshold();

  void setTargetThreshold(Double value);

  @Description(
      "Warehouse table of every assignment (rows of this experiment replaced); empty = files only.")
  @Default.String("ab_assignments")
  String getAssignmentsTable();

  void setAssignmentsTable(String value);

  @Description(
      "Warehouse table of the target list: flagged entities in treatment arms; empty = files only.")
  @Default.String("ab_targets")
  String getTargetsTable();

  void setTargetsTable(String value);
}
