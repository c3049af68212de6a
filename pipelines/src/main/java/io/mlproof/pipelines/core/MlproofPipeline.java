package io.mlproof.pipelines.core;

import org.apache.beam.sdk.options.PipelineOptions;

/**
 * One runnable stage (extract, features, train, ...). Implementations register in {@code
 * META-INF/services/io.mlproof.pipelines.core.MlproofPipeline}; that one line is all the CLI and
 * the DAG scheduler need to offer a new pipeline.
 */
public interface MlproofPipeline {

  /** The name users type: {@code mlproof run <name>} and {@code pipeline: <name>} in a DAG. */
  String name();

  /** One sentence for {@code mlproof run --help} and DAG validation messages. */
  String description();

  /** The pipeline's one options interface; DAG validation checks task options against it. */
  Class<? extends PipelineOptions> optionsClass();

  /**
   * Parses {@code args} (Beam's {@code --name=value} style), builds the pipeline, runs it to
   * completion and commits its output.
   *
   * @throws InvalidInputException for input the user must fix (exit code 2)
   * @throws RunFailedException when the run failed on the data (exit code 1)
   */
  void run(String[] args);
}
