package io.mlproof.cli;

import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.report.RunReport;
import io.mlproof.orchestrator.state.DagRunRecord;
import io.mlproof.orchestrator.state.StateStore;
import io.mlproof.orchestrator.template.RenderContext;
import io.mlproof.pipelines.core.ExitCodes;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mlproof report}: the HTML run report of one DAG run (and its figures as JSON), the same
 * one a DAG's {@code kind: report} task writes, for a run that has none or to write it again.
 */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description =
        "Write the report of one DAG run: report.html (one self-contained page: verdicts, data,"
            + " model charts, backtest, A/B test, the run) and report.json (the same figures). Reads the run's state in --state"
            + " and its task outputs under the run root that state records (--run-root only for a run that recorded"
            + " none; a different --run-root is named in one line on stderr). Exit codes: 0 written, 2 no such run"
            + " or an unreadable output.")
final class ReportCommand implements Callable<Integer> {

  @Mixin DagsCommand.Folders folders;
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "DAG id.")
  String dagId;

  @Option(
      names = "--logical-date",
      required = true,
      description = "The run's logical date, YYYY-MM-DD.")
  String logicalDate;

  @Option(
      names = "--output-dir",
      description =
          "Where report.html and report.json go (default:"
              + " <the run's run root>/<dag_id>/<ds>/report, where the DAG's report task writes).")
  String outputDir;

  @Override
  public Integer call() {
    Dag dag = folders.load(dagId);
    LocalDate date = DagsCommand.date(logicalDate, "--logical-date");
    String runRoot = storedRunRoot(dag.dagId(), date);
    String dir =
        outputDir != null
            ? outputDir
            : RenderContext.outputDir(runRoot, dag.dagId(), date, "report");
    RunReport.Written written = RunReport.write(dag, date, folders.state, runRoot, dir, "report");
    PrintWriter out = spec.commandLine().getOut();
    if (folders.output == DagsCommand.OutputFormat.JSON) {
      out.println(
          new com.fasterxml.jackson.databind.ObjectMapper()
              .createObjectNode()
              .put("verdict", written.headline())
              .put("html", written.html())
              .put("json", written.json()));
    } else {
      out.println("verdict: " + written.headline());
      out.println("report:  " + written.html());
      out.println("figures: " + written.json());
    }
    return ExitCodes.SUCCESS;
  }

  /**
   * The run root the run's outputs went to, as its state records it: a report of outputs under
   * another root would mix runs. {@code --run-root} stands only for a run that recorded none.
   */
  private String storedRunRoot(String dag, LocalDate date) {
    Optional<String> stored;
    try (StateStore store = StateStore.open(folders.state)) {
      stored = store.dagRun(dag, date).flatMap(DagRunRecord::runRoot);
    }
    if (stored.isPresent() && !stored.get().equals(folders.runRoot)) {
      // stderr, so that stdout stays the result (JSON with --output json).
      spec.commandLine()
          .getErr()
          .println(
              "mlproof: the run of "
                  + dag
                  + " at "
                  + date
                  + " wrote its outputs under "
                  + stored.get()
                  + " (recorded in "
                  + folders.state
                  + "): reporting from there, not from --run-root "
                  + folders.runRoot);
    }
    return stored.orElse(folders.runRoot);
  }
}
