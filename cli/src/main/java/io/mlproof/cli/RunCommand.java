package io.mlproof.cli;

import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.Pipelines;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mlproof run <pipeline> [Beam options]}: one pipeline, options in Beam's --name=value form.
 */
@Command(
    name = "run",
    description =
        "Run one pipeline. Options are Beam pipeline options (--name=value);"
            + " `mlproof run <pipeline> --help` lists them.")
final class RunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      description = "Pipeline: ${COMPLETION-CANDIDATES}",
      completionCandidates = PipelineNames.class)
  String pipeline;

  @Parameters(
      index = "1..*",
      paramLabel = "--name=value",
      description = "The pipeline's options; --help after the pipeline lists them.")
  List<String> options = new ArrayList<>();

  @Override
  public Integer call() {
    MlproofPipeline selected = Pipelines.get(pipeline);
    if (options.contains("--help") || options.contains("-h")) {
      ByteArrayOutputStream help = new ByteArrayOutputStream();
      PipelineOptionsFactory.printHelp(
          new PrintStream(help, true, StandardCharsets.UTF_8), selected.optionsClass());
      PrintWriter out = spec.commandLine().getOut();
      out.println("Usage: mlproof run " + pipeline + " [--name=value...]");
      out.println(selected.description());
      out.println();
      out.print(help.toString(StandardCharsets.UTF_8));
      out.flush();
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
