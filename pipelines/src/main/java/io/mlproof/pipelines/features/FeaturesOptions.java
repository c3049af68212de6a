package io.mlproof.pipelines.features;

import io.mlproof.pipelines.core.LogicalDateOptions;
import io.mlproof.pipelines.core.TaskOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code mlproof run features}. */
public interface FeaturesOptions extends TaskOptions, LogicalDateOptions {

  @Description(
      "Output directory of an extract task run with --recordType=entity_days (its 'records' are read).")
  @Validation.Required
  String getInput();

  void setInput(String value);

  @Description(
      "Cutoff dates, comma-separated (YYYY-MM-DD,...). Features use the days before each cutoff;"
          + " several cutoffs stack into one training set. Without cutoffs, the range options or"
          + " --logicalDate give them.")
  @Default.String("")
  String getCutoffs();

  void setCutoffs(String value);

  @Description("First cutoff of a range (YYYY-MM-DD, inclusive); use with --cutoffEnd.")
  @Default.String("")
  String getCutoffStart();

  void setCutoffStart(String value);

  @Description("Last cutoff of a range (YYYY-MM-DD, inclusive when the step lands on it).")
  @Default.String("")
  String getCutoffEnd();

  void setCutoffEnd(String value);

  @Description("Days between cutoffs of a range.")
  @Default.Integer(7)
  int getCutoffEveryDays();

  void setCutoffEveryDays(int value);

  @Description(
      "Label window length: the label of cutoff T looks at the instants (T, T + horizonDays days].")
  @Default.Integer(30)
  int getHorizonDays();

  void setHorizonDays(int value);

  @Description(
      "Label definition: NO_PURCHASE (positive = no purchase in the label window) or NO_SESSION.")
  @Default.Enum("NO_PURCHASE")
  LabelDefinition getLabelDefinition();

  void setLabelDefinition(LabelDefinition value);

  @Description(
      "Feature spec: a bundled spec name (churn_v1) or the path of an mlproof.v1.FeatureSpec"
          + " .textproto file.")
  @Default.String(FeatureSpecs.DEFAULT)
  String getFeatureSpec();

  void setFeatureSpec(String value);

  @Description(
      "true (training): keep only cutoffs whose label window has ended within the data."
          + " false (scoring): every eligible entity, has_label=false where the window is still open.")
  @Default.Boolean(true)
  boolean getRequireLabels();

  void setRequireLabels(boolean value);
}
