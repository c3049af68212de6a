package io.mlproof.cli;

import io.mlproof.orchestrator.task.TaskClient;
import io.mlproof.orchestrator.task.TaskClientServer;
import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.Pipelines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mlproof task-client}: the warm task client a DAG run starts when its pipeline tasks go to
 * a Flink cluster ({@link TaskClient}); not for people, so hidden from the usage.
 */
@Command(
    name = TaskClient.COMMAND,
    hidden = true,
    description =
        "Run the pipeline tasks a DAG run sends on standard input (JSON lines), one thread each, in"
            + " this one warm JVM; started and stopped by `mlproof dags run` (see --fork-each-task).")
final class TaskClientCommand implements Callable<Integer> {

  @Option(
      names = "--listen",
      paramLabel = "FILE",
      description =
          "Serve every DAG run that connects on a loopback port, written with its secret to FILE,"
              + " until stopped: a Flink cluster's task client (mlproof flink start).")
  Path listen;

  @Override
  public Integer call() throws IOException {
    if (listen != null) {
      TaskClientServer.listen(Main::execute, TaskClientCommand::warmUp, listen);
    }
    TaskClientServer.serve(Main::execute, TaskClientCommand::warmUp);
    return 0; // not reached: the server halts the JVM when its input ends
  }

  /**
   * What every task's client does first, done while the run's cluster starts: Beam's options
   * registry (it scans every options interface on the class path) and each pipeline's options.
   */
  private static void warmUp() {
    for (MlproofPipeline pipeline : Pipelines.all().values()) {
      PipelineOptionsFactory.fromArgs("--runner=FlinkRunner")
          .as(pipeline.optionsClass())
          .as(FlinkPipelineOptions.class);
    }
  }
}
