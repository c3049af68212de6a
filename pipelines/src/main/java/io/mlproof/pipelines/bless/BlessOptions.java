package io.mlproof.pipelines.bless;

import io.mlproof.pipelines.core.TaskOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code mlproof run bless}. */
public interface BlessOptions extends TaskOptions {

  @Description("Output directory of the train task whose model to bless.")
  @Validation.Required
  String getModel();

  void setModel(String value);

  @Description("Output directory of the bless task of the previously blessed model, if there is one:"
      + " the new model must not fall behind it by more than --tolerance (F1 on the new validation rows).")
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
