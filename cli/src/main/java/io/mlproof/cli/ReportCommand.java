package io.mlproof.cli;

import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.report.RunReport;
import io.mlproof.orchestrator.template.RenderContext;
import io.mlproof.pipelines.core.ExitCodes;
import java.io.PrintWriter;
import java.time.LocalDate;
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
    description = "Write the report of one DAG run: report.html (one self-contained page: verdicts, data,"
        + " model charts, backtest, A/B test, the run) and report.json (the same figures). Reads the task"
        + " outputs under --run-root and the run's state in --state. Exit codes: 0 written, 2 no such run"
        + " or an unreadable output.")
final class ReportCommand implements Callable<Integer> {

  @Mixin DagsCommand.Folders folders;
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "DAG id.")
  String dagId;

  @Option(names = "--logical-date", required = true, description = "The run's logical date, YYYY-MM-DD.")
  String logicalDate;

  @Option(names = "--output-dir", description = "Where report.html and report.json go (default:"
      + " <run-root>/<dag_id>/<ds>/report, where the DAG's report task writes).")
  String outputDir;

  @Override
  public Integer call() {
    Dag dag = folders.load(dagId);
    LocalDate date = DagsCommand.date(logicalDate, "--logical-date");
    String dir = outputDir != null ? outputDir : RenderContext.outputDir(folders.runRoot, dag.dagId(), date, "report");
    RunReport.Written written = RunReport.write(dag, date, folders.state, folders.runRoot, dir, "report");
    PrintWriter out = spec.commandLine().getOut();
    if (folders.output == DagsCommand.OutputFormat.JSON) {
      out.println(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
          .put("verdict", written.headline()).put("html", written.html()).put("json", written.json()));
    } else {
      out.println("verdict: " + written.headline());
      out.println("report:  " + written.html());
      out.println("figures: " + written.json());
    }
    return ExitCodes.SUCCESS;
  }
}
