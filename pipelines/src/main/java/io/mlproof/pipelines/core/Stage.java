package io.mlproof.pipelines.core;

import io.mlproof.proto.v1.Manifest;
import java.io.PrintStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * One stage as a Beam pipeline. A stage says only what is its own: its options interface, what it
 * checks before any work ({@link #prepare}: options, and its inputs verified against their
 * manifests' counts and SHA-256s), the transforms it adds ({@link Plan#expand}) and its part of the
 * manifest ({@link Plan#finish}). The skeleton ({@link StageRun#execute}) does the rest, the same
 * for every stage: option parsing with one error format (exit 2), staging the output, running the
 * pipeline on the runner the options name, the manifest header (pipeline, dag and task ids, logical
 * date, runner, counters), and commit, or abort on any failure.
 *
 * <p>A stage registers with one line in {@code
 * META-INF/services/io.mlproof.pipelines.core.MlproofPipeline}.
 */
public interface Stage<O extends TaskOptions> extends MlproofPipeline {

  /** The stage's one options interface. */
  Class<O> optionsType();

  @Override
  default Class<? extends PipelineOptions> optionsClass() {
    return optionsType();
  }

  @Override
  default void run(String[] args) {
    StageRun.execute(this, OptionsParser.parse(name(), args, optionsType()), System.out);
  }

  /**
   * Everything checked before any work: option values and inputs (read through {@link
   * TaskOutput#readVerified} or {@link TaskOutput#verifiedFilePattern}). Throws {@link
   * InvalidInputException} for what the user must fix; nothing has been written yet.
   */
  Plan prepare(O options);

  /** What a prepared stage does with its pipeline and output. */
  interface Plan {

    /**
     * Adds the stage's transforms to {@code pipeline}; files go to {@code output.staging(name)}.
     */
    void expand(Pipeline pipeline, TaskOutput output);

    /**
     * After the pipeline succeeded, before the commit: the stage's part of the manifest (record
     * type, files, attributes; the header and the pipeline's counters are set already) and its
     * summary line on {@code out}. Throwing here aborts the output.
     */
    void finish(
        StageRun.Finished finished, TaskOutput output, Manifest.Builder manifest, PrintStream out);

    /**
     * After the commit. A stage whose committed output is a verdict that must stop the DAG (bless
     * refusing a model: its report is kept) throws {@link RunFailedException} here.
     */
    default void committed(Manifest manifest) {}
  }
}
