package io.mlproof.cli;

import io.mlproof.pipelines.core.ExitCodes;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.UserErrors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mlproof} command: parses the command line and maps failures to exit codes. */
@Command(
    name = "mlproof",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Prove an ML model moves a business metric: extract, features, train, backtest, A/B.",
    subcommands = {RunCommand.class, DemoCommand.class, DagsCommand.class, AbCommand.class,
        ReportCommand.class,
        CommandLine.HelpCommand.class})
public final class Main {

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code (0 success, 1 run failed, 2 invalid input). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExitCodeExceptionMapper(Main::exitCode);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          Throwable cause = UserErrors.find(e);
          if (cause == null) {
            throw e;
          }
          commandLine.getErr().println("mlproof: " + cause.getMessage());
          return exitCode(cause);
        });
    cli.setParameterExceptionHandler(
        (e, parseResult) -> {
          e.getCommandLine().getErr().println("mlproof: " + e.getMessage()
              + " (see: " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
          return ExitCodes.INVALID_INPUT;
        });
    return cli.execute(args);
  }

  private static int exitCode(Throwable e) {
    if (e instanceof InvalidInputException) {
      return ExitCodes.INVALID_INPUT;
    }
    return ExitCodes.RUN_FAILED;
  }
}
