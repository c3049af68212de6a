package io.mlproof.pipelines.bless;

import io.mlproof.pipelines.core.TaskOptions;
import io.mlproof.pipelines.evaluate.BlessCriteria;
import io.mlproof.pipelines.evaluate.BlessRule;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code mlproof run bless}. */
public interface BlessOptions extends TaskOptions {

  @Description("Output directory of the train task whose model to bless.")
  @Validation.Required
  String getModel();

  void setModel(String value);

  @Description(
      "Absolute F1 by which the model must beat the best baseline at its operating point (judged"
          + " by --blessRule). Owned by bless, so raising the bar does not mean retraining.")
  @Default.Double(BlessCriteria.DEFAULT_MARGIN)
  double getBlessMargin();

  void setBlessMargin(double value);

  @Description(
      "Which figure of the model's F1 lead must reach --blessMargin: LOWER_BOUND (of its 95%"
          + " bootstrap interval on the test rows: a lead within noise is not enough) or POINT_ESTIMATE.")
  @Default.Enum("LOWER_BOUND")
  BlessRule getBlessRule();

  void setBlessRule(BlessRule value);

  @Description(
      "Output directory of the bless task of the previously blessed model, if there is one:"
          + " the new model must not fall behind it by more than --tolerance (F1 on the new test rows).")
  @Default.String("")
  String getPreviousModel();

  void setPreviousModel(String value);

  @Description("How much F1 the new model may lose against the previously blessed one.")
  @Default.Double(0.01)
  double getTolerance();

  void setTolerance(double value);

  @Description("LightGBM threads for scoring the previous model on the validation rows.")
  @Default.Integer(2)
  int getNumThreads();

  void setNumThreads(int value);
}
