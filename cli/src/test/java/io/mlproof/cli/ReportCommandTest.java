package io.mlproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlproof report} and the summary {@code dags run} ends with when the DAG has a report task.
 */
class ReportCommandTest {

  @TempDir Path tmp;
  Path dags;

  @BeforeEach
  void setUp() throws Exception {
    dags = Files.createDirectories(tmp.resolve("dags"));
    Files.writeString(
        dags.resolve("defaults.yaml"),
        "start_date: 2024-01-01\ndefault_args:\n  retry_delay: 0s\n");
    Files.writeString(
        dags.resolve("reported.yaml"),
        """
        dag_id: reported
        schedule: "0 0 * * 1"
        tasks:
          - id: work
            kind: bash
            command: 'true'
          - id: report
            kind: report
            depends_on: [work]
            trigger_rule: all_done
        """);
  }

  private Cli.Result mlproof(String... args) {
    return mlproofWithRunRoot(tmp.resolve("runs"), args);
  }

  private Cli.Result mlproofWithRunRoot(Path runRoot, String... args) {
    String[] all = new String[args.length + 6];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(
        new String[] {
          "--dags-folder",
          dags.toString(),
          "--run-root",
          runRoot.toString(),
          "--state",
          tmp.resolve("state.sqlite").toString()
        },
        0,
        all,
        args.length,
        6);
    return Cli.run(all);
  }

  @Test
  void dagsRunEndsWithTheVerdictAndTheReportsPath() {
    Cli.Result run = mlproof("dags", "run", "reported", "--logical-date", "2024-01-08");
    assertThat(run.exitCode()).as(run.err()).isZero();
    Path html = tmp.resolve("runs/reported/2024-01-08/report/report.html");
    assertThat(run.out())
        .endsWith("  verdict: No model was evaluated in this run.\n  report:  " + html + "\n");
    assertThat(html).exists();
  }

  @Test
  void writesTheReportOfAnExistingRunAgainElsewhere() {
    assertThat(mlproof("dags", "run", "reported", "--logical-date", "2024-01-08").exitCode())
        .isZero();
    Path out = tmp.resolve("again");
    Cli.Result report =
        mlproof(
            "report", "reported", "--logical-date", "2024-01-08", "--output-dir", out.toString());
    assertThat(report.exitCode()).as(report.err()).isZero();
    assertThat(report.out())
        .isEqualTo(
            "verdict: No model was evaluated in this run.\nreport:  "
                + out.resolve("report.html")
                + "\nfigures: "
                + out.resolve("report.json")
                + "\n");
    assertThat(out.resolve("report.html")).content().contains("<section id=\"run\">");
    assertThat(out.resolve("manifest.json")).exists();
  }

  @Test
  void readsTheRunRootTheRunRecordedNotTheOneGivenNow() {
    assertThat(mlproof("dags", "run", "reported", "--logical-date", "2024-01-08").exitCode())
        .isZero();
    Path elsewhere = tmp.resolve("elsewhere");
    Cli.Result report =
        mlproofWithRunRoot(elsewhere, "report", "reported", "--logical-date", "2024-01-08");
    assertThat(report.exitCode()).as(report.err()).isZero();
    Path runs = tmp.resolve("runs");
    assertThat(report.err())
        .isEqualTo(
            "mlproof: the run of reported at 2024-01-08 wrote its outputs under "
                + runs
                + " (recorded in "
                + tmp.resolve("state.sqlite")
                + "): reporting from there, not from --run-root "
                + elsewhere
                + "\n");
    assertThat(report.out())
        .contains("report:  " + runs.resolve("reported/2024-01-08/report/report.html") + "\n");
    assertThat(elsewhere).doesNotExist();
  }

  @Test
  void theSameRunRootSaysNothingMore() {
    assertThat(mlproof("dags", "run", "reported", "--logical-date", "2024-01-08").exitCode())
        .isZero();
    Cli.Result report = mlproof("report", "reported", "--logical-date", "2024-01-08");
    assertThat(report.exitCode()).as(report.err()).isZero();
    assertThat(report.err()).isEmpty();
  }

  @Test
  void aRunThatIsNotThereIsOneLineAndExitCode2() {
    Cli.Result report = mlproof("report", "reported", "--logical-date", "2024-01-15");
    assertThat(report.exitCode()).isEqualTo(2);
    assertThat(report.err())
        .isEqualTo(
            "mlproof: no run of reported at 2024-01-15 in "
                + tmp.resolve("state.sqlite")
                + " and no task output under "
                + tmp.resolve("runs")
                + "/reported/2024-01-15/: run it first (mlproof dags run"
                + " reported --logical-date 2024-01-15) or check --state and --run-root\n");
    assertThat(mlproof("report", "reported", "--logical-date", "2024-13-01").err())
        .isEqualTo(
            "mlproof: --logical-date '2024-13-01' is not a valid date: use YYYY-MM-DD, e.g. 2024-01-07\n");
  }
}
