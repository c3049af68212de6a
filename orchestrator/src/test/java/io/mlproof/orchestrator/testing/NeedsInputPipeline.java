package io.mlproof.orchestrator.testing;

import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.TaskOptions;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Test-only pipeline with required options, for validation tests; never run. */
public final class NeedsInputPipeline implements MlproofPipeline {

  /** A required option and a pair of which one is required. */
  public interface NeedsInputOptions extends TaskOptions {
    @Description("The examples to read.")
    @Validation.Required
    String getExamples();

    void setExamples(String value);

    @Description("A model directory.")
    @Validation.Required(groups = "model")
    String getModel();

    void setModel(String value);

    @Description("A model URI.")
    @Validation.Required(groups = "model")
    String getModelUri();

    void setModelUri(String value);
  }

  @Override
  public String name() {
    return "needs_input";
  }

  @Override
  public String description() {
    return "test pipeline with required options";
  }

  @Override
  public Class<NeedsInputOptions> optionsClass() {
    return NeedsInputOptions.class;
  }

  @Override
  public void run(String[] args) {
    throw new UnsupportedOperationException("validation tests only");
  }
}
