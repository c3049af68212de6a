package io.mlproof.pipelines.train;

import io.mlproof.pipelines.core.LogicalDateOptions;
import io.mlproof.pipelines.core.TaskOptions;
import io.mlproof.pipelines.core.WarehouseOptions;
import io.mlproof.pipelines.evaluate.OperatingPointRule;
import io.mlproof.pipelines.model.ClassWeighting;
import io.mlproof.pipelines.sql.SqlOption;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of {@code mlproof run train}. Examples come either from the features stage ({@code
 * --examples}) or from any warehouse query returning one row per entity with a label ({@code
 * --examplesQuery} with {@code --labelColumn}, {@code --positiveLabel}, {@code --idColumn}).
 * Further LightGBM parameters come from the DAG's params: {@code --params={"lightgbm": {...}}}.
 */
public interface TrainOptions extends TaskOptions, WarehouseOptions, LogicalDateOptions {

  @Description("Output directory of the features task whose Example records to train on.")
  @Default.String("")
  String getExamples();

  void setExamples(String value);

  @Description(
      "FeatureSpec file (.textproto, .json or binary) of the examples; default: the one listed in the"
          + " features output's manifest.")
  @Default.String("")
  String getFeatureSpec();

  void setFeatureSpec(String value);

  @Description(
      "SQL run against --warehouse that returns one row per entity with a label column"
          + " (bring your own training table). Numeric columns are features as they are; string columns"
          + " are categorical; NULL, empty and NA are missing.")
  @Default.String("")
  @SqlOption
  String getExamplesQuery();

  void setExamplesQuery(String value);

  @Description("With --examplesQuery: the label column.")
  @Default.String("")
  String getLabelColumn();

  void setLabelColumn(String value);

  @Description(
      "With --examplesQuery: the label value that counts as positive (compared as text,"
          + " e.g. Yes, 1, true).")
  @Default.String("")
  String getPositiveLabel();

  void setPositiveLabel(String value);

  @Description("With --examplesQuery: the column identifying the entity (unique per row).")
  @Default.String("")
  String getIdColumn();

  void setIdColumn(String value);

  @Description(
      "With --examplesQuery: optional column whose values 'train', 'validation' and 'test' mark the"
          + " rows to train on, to choose on (early stopping, thresholds) and to evaluate on; without"
          + " 'validation' rows, validation is carved from the 'train' rows by --validationFraction. Without the"
          + " column, a seeded stratified split by --testFraction and --validationFraction.")
  @Default.String("")
  String getSplitColumn();

  void setSplitColumn(String value);

  @Description(
      "With --examplesQuery and no --splitColumn: share of each class held out as test rows.")
  @Default.Double(0.25)
  double getTestFraction();

  void setTestFraction(double value);

  @Description(
      "With --examplesQuery: share of each class of the non-test rows held out as validation rows"
          + " (early stopping, the operating threshold and the heuristic are chosen on them).")
  @Default.Double(0.2)
  double getValidationFraction();

  void setValidationFraction(double value);

  @Description(
      "After early stopping chose the round count on the validation rows, train the final model"
          + " on train + validation rows with that many rounds (docs/TRAINING.md says why).")
  @Default.Boolean(true)
  boolean getRefit();

  void setRefit(boolean value);

  @Description(
      "Resamples of the paired bootstrap that puts a 95% interval on the model's lead over the best"
          + " baseline (at least 1000; seeded by --seed).")
  @Default.Integer(2000)
  int getBootstrapResamples();

  void setBootstrapResamples(int value);

  @Description("Maximum boosting iterations (early stopping usually ends sooner).")
  @Default.Integer(500)
  int getNumIterations();

  void setNumIterations(int value);

  @Description("LightGBM learning_rate.")
  @Default.Double(0.05)
  double getLearningRate();

  void setLearningRate(double value);

  @Description("LightGBM num_leaves; 0 = scaled to the training rows (rows / 200 within [4, 31]).")
  @Default.Integer(0)
  int getNumLeaves();

  void setNumLeaves(int value);

  @Description(
      "LightGBM min_data_in_leaf; 0 = scaled to the training rows (rows / 50 within [5, 20]).")
  @Default.Integer(0)
  int getMinDataInLeaf();

  void setMinDataInLeaf(int value);

  @Description("Stop when validation log loss has not improved for this many iterations (0 = off).")
  @Default.Integer(50)
  int getEarlyStoppingRounds();

  void setEarlyStoppingRounds(int value);

  @Description(
      "Seed for LightGBM (all its seeds derive from it), the stratified split and the bootstrap.")
  @Default.Integer(42)
  int getSeed();

  void setSeed(int value);

  @Description(
      "LightGBM threads. Part of the model's identity: keep it fixed for identical model bytes.")
  @Default.Integer(2)
  int getNumThreads();

  void setNumThreads(int value);

  @Description(
      "Class imbalance handling: NONE (calibrated probabilities; the operating point handles"
          + " imbalance), BALANCED (is_unbalance) or SCALE_POS_WEIGHT (--scalePosWeight).")
  @Default.Enum("NONE")
  ClassWeighting getClassWeighting();

  void setClassWeighting(ClassWeighting value);

  @Description("LightGBM scale_pos_weight, with --classWeighting=SCALE_POS_WEIGHT.")
  @Default.Double(1.0)
  double getScalePosWeight();

  void setScalePosWeight(double value);

  @Description(
      "Operating point: BEST_F1 (the threshold with the best F1 on the validation rows) or TOP_K"
          + " (the top --topFraction of rows a campaign can afford).")
  @Default.Enum("BEST_F1")
  OperatingPointRule getOperatingPoint();

  void setOperatingPoint(OperatingPointRule value);

  @Description("With --operatingPoint=TOP_K: the share of rows targeted.")
  @Default.Double(0.1)
  double getTopFraction();

  void setTopFraction(double value);

  @Description(
      "Features the heuristic baseline may threshold, comma-separated; 'auto' ="
          + " days_since_last_purchase when the spec has it, else every numeric feature; 'all' = every"
          + " numeric feature.")
  @Default.String("auto")
  String getHeuristicFeatures();

  void setHeuristicFeatures(String value);

  @Description(
      "Leave out rows whose label window reaches past the next split's cutoff (training rows past"
          + " the validation cutoff, validation rows past the test cutoff).")
  @Default.Boolean(true)
  boolean getPurgeLabelOverlap();

  void setPurgeLabelOverlap(boolean value);

  @Description("What to print: TABLE (for people) or JSON (the EvaluationResult, for tools).")
  @Default.Enum("TABLE")
  ReportFormat getReport();

  void setReport(ReportFormat value);

  @Description(
      "Also write the EvaluationResult JSON to this file (it is always in the task output as"
          + " evaluation.json).")
  @Default.String("")
  String getEvaluationJson();

  void setEvaluationJson(String value);
}
