package io.mlproof.pipelines.score;

import io.mlproof.pipelines.core.LogicalDateOptions;
import io.mlproof.pipelines.core.TaskOptions;
import io.mlproof.pipelines.core.WarehouseOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code mlproof run score}. */
public interface ScoreOptions extends TaskOptions, WarehouseOptions, LogicalDateOptions {

  @Description(
      "Output directory of the bless task whose model to score with (a train output needs"
          + " --allowUnblessed).")
  @Validation.Required
  String getModel();

  void setModel(String value);

  @Description("Output directory of the features task at the scoring date (labels not needed).")
  @Validation.Required
  String getExamples();

  void setExamples(String value);

  @Description(
      "Warehouse table the scores are written to (replacing that day's rows); empty = files only.")
  @Default.String("scores")
  String getScoresTable();

  void setScoresTable(String value);

  @Description(
      "Score with a model that has no blessing (a train output). A model bless rejected is"
          + " refused even so.")
  @Default.Boolean(false)
  boolean getAllowUnblessed();

  void setAllowUnblessed(boolean value);

  @Description("LightGBM threads for prediction.")
  @Default.Integer(2)
  int getNumThreads();

  void setNumThreads(int value);
}
