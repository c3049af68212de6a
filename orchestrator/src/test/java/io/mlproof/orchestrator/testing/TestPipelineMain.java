package io.mlproof.orchestrator.testing;

import io.mlproof.orchestrator.task.TaskClient;
import io.mlproof.orchestrator.task.TaskClientServer;
import io.mlproof.pipelines.core.ExitCodes;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.Pipelines;
import io.mlproof.pipelines.core.UserErrors;
import java.util.Arrays;

/**
 * The forked pipeline JVM of orchestrator tests: {@code run <pipeline> <options>}, like the CLI's
 * main (which lives in a module that depends on this one), with the same exit codes; and {@code
 * task-client}, the warm task client running such tasks as threads ({@code task-client --listen
 * FILE}: a cluster's).
 */
public final class TestPipelineMain {

  private TestPipelineMain() {}

  public static void main(String[] args) {
    if (args.length == 1 && args[0].equals(TaskClient.COMMAND)) {
      TaskClientServer.serve(TestPipelineMain::execute, () -> {});
    }
    if (args.length == 3 && args[0].equals(TaskClient.COMMAND) && args[1].equals("--listen")) {
      try {
        TaskClientServer.listen(
            TestPipelineMain::execute, () -> {}, java.nio.file.Path.of(args[2]));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    System.exit(execute(args));
  }

  /** Runs {@code run <pipeline> <options>} and returns its exit code. */
  public static int execute(String... args) {
    if (args.length < 2 || !args[0].equals("run")) {
      System.err.println("usage: run <pipeline> [options]");
      return ExitCodes.INVALID_INPUT;
    }
    try {
      Pipelines.get(args[1]).run(Arrays.copyOfRange(args, 2, args.length));
      return ExitCodes.SUCCESS;
    } catch (RuntimeException e) {
      RuntimeException user = UserErrors.find(e);
      System.err.println("mlproof: " + (user != null ? user.getMessage() : e));
      return user instanceof InvalidInputException ? ExitCodes.INVALID_INPUT : ExitCodes.RUN_FAILED;
    }
  }
}
