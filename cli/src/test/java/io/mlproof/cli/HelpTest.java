package io.mlproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.Pipelines;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command and subcommand answers --help with exit code 0 and its usage. */
class HelpTest {

  @Test
  void everyCommandInTheTreeAnswersHelp() {
    List<CommandLine> commands = new ArrayList<>();
    walk(Main.commandLine(), commands);
    // mlproof, run, demo, demo init, help, dags and its eight subcommands at least.
    assertThat(commands).hasSizeGreaterThanOrEqualTo(14);
    for (CommandLine command : commands) {
      String name = command.getCommandSpec().qualifiedName();
      List<String> args =
          new ArrayList<>(Arrays.asList(name.split(" ")).subList(1, name.split(" ").length));
      for (String help : List.of("--help", "-h")) {
        args.add(help);
        Cli.Result result = Cli.run(args.toArray(String[]::new));
        assertThat(result.exitCode()).as(name + " " + help + ": " + result.err()).isZero();
        assertThat(result.err()).as(name + " " + help).isEmpty();
        assertThat(result.out()).as(name + " " + help).startsWith("Usage: " + name + " ");
        args.remove(args.size() - 1);
      }
    }
  }

  @Test
  void theHelpCommandShowsNestedSubcommands() {
    Cli.Result result = Cli.run("help", "dags", "export-airflow");
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).startsWith("Usage: mlproof dags export-airflow ");
    assertThat(Cli.run("help", "dags").out()).startsWith("Usage: mlproof dags ");
    assertThat(Cli.run("help").out()).startsWith("Usage: mlproof ");
    Cli.Result unknown = Cli.run("help", "dags", "exprot-airflow");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err())
        .isEqualTo(
            "mlproof: 'exprot-airflow' is not a command of mlproof dags: use one of list,"
                + " validate, show, run, backfill, status, clear, export-airflow (see: mlproof help --help)\n");
  }

  @Test
  void everyPipelineListsItsOptions() {
    assertThat(Pipelines.all()).isNotEmpty();
    for (Map.Entry<String, MlproofPipeline> pipeline : Pipelines.all().entrySet()) {
      Cli.Result result = Cli.run("run", pipeline.getKey(), "--help");
      assertThat(result.exitCode()).as(pipeline.getKey() + ": " + result.err()).isZero();
      assertThat(result.out())
          .startsWith(
              "Usage: mlproof run "
                  + pipeline.getKey()
                  + " [--name=value...]\n"
                  + pipeline.getValue().description()
                  + "\n")
          // Beam's listing names the options interface and its options.
          .contains(pipeline.getValue().optionsClass().getName())
          .contains("--output");
    }
  }

  @Test
  void pipelineMainAnswersHelp() {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = PipelineMain.execute("--help");
    } finally {
      System.setOut(original);
    }
    assertThat(code).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("Usage: java -cp mlproof.jar io.mlproof.cli.PipelineMain --pipeline=NAME")
        .contains("Pipelines: " + String.join(", ", Pipelines.all().keySet()));
  }

  private static void walk(CommandLine command, List<CommandLine> into) {
    into.add(command);
    command.getSubcommands().values().forEach(sub -> walk(sub, into));
  }
}
