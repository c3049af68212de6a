package io.mlproof.cli;

import io.mlproof.pipelines.core.ExitCodes;
import io.mlproof.pipelines.core.Pipelines;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point for schedulers that pass only {@code --name=value} options, such as Airflow's {@code
 * BeamRunJavaPipelineOperator} ({@code java -cp mlproof.jar io.mlproof.cli.PipelineMain
 * --pipeline=train --output=... ...}): one generic main for every pipeline, chosen by {@code
 * --pipeline}, rather than a main class per pipeline that each new stage would have to add.
 */
public final class PipelineMain {

  private PipelineMain() {}

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  static int execute(String... args) {
    String pipeline = null;
    List<String> command = new ArrayList<>(List.of("run", ""));
    for (String arg : args) {
      if (arg.startsWith("--pipeline=")) {
        pipeline = arg.substring("--pipeline=".length());
      } else {
        command.add(arg);
      }
    }
    if ((pipeline == null || pipeline.isEmpty())
        && (command.contains("--help") || command.contains("-h"))) {
      System.out.println(
          "Usage: java -cp mlproof.jar io.mlproof.cli.PipelineMain --pipeline=NAME [--name=value...]");
      System.out.println(
          "Runs one pipeline, as `mlproof run NAME [--name=value...]`; with --pipeline=NAME,"
              + " --help lists that pipeline's options.");
      System.out.println("Pipelines: " + String.join(", ", Pipelines.all().keySet()));
      return ExitCodes.SUCCESS;
    }
    if (pipeline == null || pipeline.isEmpty()) {
      System.err.println(
          "mlproof: --pipeline=NAME is required (the pipeline to run, e.g. --pipeline=train)");
      return ExitCodes.INVALID_INPUT;
    }
    command.set(1, pipeline);
    return Main.execute(command.toArray(String[]::new));
  }
}
