package io.mlproof.pipelines.features;

import io.mlproof.pipelines.core.TaskOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code mlproof run validate}, the validation gate. */
public interface ValidateOptions extends TaskOptions {

  @Description("Output directory of the features task to check.")
  @Validation.Required
  String getInput();

  void setInput(String value);

  @Description(
      "Output directory of the previous features run to compare with (row count, drift)."
          + " Empty, or a directory without a manifest: only the absolute checks run.")
  @Default.String("")
  String getBaseline();

  void setBaseline(String value);

  @Description(
      "Expected schema: a feature spec (bundled name or .textproto path) whose min_value/max_value"
          + " are the expected ranges. Empty: the spec the features run recorded.")
  @Default.String("")
  String getSchema();

  void setSchema(String value);

  @Description(
      "Largest allowed drop of the example count against the baseline, as a share (0.5 = half).")
  @Default.Double(0.5)
  double getMaxRowCountDrop();

  void setMaxRowCountDrop(double value);

  @Description(
      "Largest allowed drift of a feature against the baseline: L-infinity distance between the"
          + " two distributions (from their deciles; missing values included), in [0, 1].")
  @Default.Double(0.25)
  double getMaxDrift();

  void setMaxDrift(double value);
}
