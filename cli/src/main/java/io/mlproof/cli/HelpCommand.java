package io.mlproof.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.IHelpCommandInitializable2;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code mlproof help [COMMAND...]}: the usage of a command at any depth ({@code mlproof help dags
 * export-airflow}); picocli's own help command only looks one level down.
 */
@Command(
    name = "help",
    helpCommand = true,
    description =
        "Show the usage of mlproof, or of a command and its subcommands: mlproof help dags export-airflow.")
final class HelpCommand implements IHelpCommandInitializable2, Runnable {

  @Parameters(
      paramLabel = "COMMAND",
      arity = "0..*",
      description = "A command and its subcommands, e.g. dags run.")
  List<String> path = new ArrayList<>();

  private CommandLine self;
  private Help.ColorScheme colors;
  private PrintWriter out;

  @Override
  public void init(
      CommandLine helpCommandLine, Help.ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
    this.self = helpCommandLine;
    this.colors = colorScheme;
    this.out = out;
  }

  @Override
  public void run() {
    CommandLine command = self.getParent();
    for (String name : path) {
      CommandLine sub = command.getSubcommands().get(name);
      if (sub == null) {
        throw new ParameterException(
            self,
            "'"
                + name
                + "' is not a command of "
                + command.getCommandSpec().qualifiedName()
                + ": use one of "
                + String.join(", ", command.getSubcommands().keySet()));
      }
      command = sub;
    }
    command.usage(out, colors);
  }
}
