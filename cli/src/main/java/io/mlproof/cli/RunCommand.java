package io.mlproof.cli;

import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.Pipelines;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/** {@code mlproof run <pipeline> [Beam options]}: one pipeline, options in Beam's --name=value form. */
@Command(
    name = "run",
    description = "Run one pipeline. Options are Beam pipeline options (--name=value);"
        + " `mlproof run <pipeline> --help` lists them.")
final class RunCommand implements Callable<Integer> {

  @Parameters(index = "0", description = "Pipeline: ${COMPLETION-CANDIDATES}",
      completionCandidates = PipelineNames.class)
  String pipeline;

  @Unmatched List<String> options = new ArrayList<>();

  @Override
  public Integer call() {
    MlproofPipeline selected = Pipelines.get(pipeline);
    if (options.contains("--help") || options.contains("-h")) {
      PipelineOptionsFactory.printHelp(System.out, selected.optionsClass());
      return 0;
    }
    selected.run(options.toArray(String[]::new));
    return 0;
  }

  /** Registered pipeline names for help and shell completion. */
  static final class PipelineNames extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    PipelineNames() {
      super(Pipelines.all().keySet());
    }
  }
}
