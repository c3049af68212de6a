package io.mlproof.cli;

import io.mlproof.pipelines.core.ExitCodes;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.UserErrors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The {@code mlproof} command: parses the command line and maps failures to exit codes. */
@Command(
    name = "mlproof",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "Prove an ML model moves a business metric: extract, features, train, backtest, A/B.",
    // One subcommand per line: parallel work adds lines here.
    subcommands = {
      RunCommand.class,
      DemoCommand.class,
      DagsCommand.class,
      AbCommand.class,
      ReportCommand.class,
      FlinkCommand.class,
      TaskClientCommand.class,
      HelpCommand.class
    })
public final class Main {

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code (0 success, 1 run failed, 2 invalid input). */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** The whole command tree, configured as {@link #execute} runs it. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    addHelpOptions(cli);
    // `run <pipeline> --name=value ... --help`: everything after the pipeline goes to the pipeline
    // (Beam's options, and its own --help listing them), not to picocli.
    cli.getSubcommands().get("run").setStopAtPositional(true);
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
          e.getCommandLine()
              .getErr()
              .println(
                  "mlproof: "
                      + e.getMessage()
                      + " (see: "
                      + e.getCommandLine().getCommandSpec().qualifiedName()
                      + " --help)");
          return ExitCodes.INVALID_INPUT;
        });
    return cli;
  }

  /** Every command answers -h/--help, including commands added later that do not declare it. */
  private static void addHelpOptions(CommandLine command) {
    CommandSpec spec = command.getCommandSpec();
    if (spec.options().stream().noneMatch(OptionSpec::usageHelp)) {
      spec.addOption(
          OptionSpec.builder("-h", "--help")
              .usageHelp(true)
              .description("Show this help message and exit.")
              .build());
    }
    command.getSubcommands().values().forEach(Main::addHelpOptions);
  }

  private static int exitCode(Throwable e) {
    if (e instanceof InvalidInputException) {
      return ExitCodes.INVALID_INPUT;
    }
    return ExitCodes.RUN_FAILED;
  }
}
