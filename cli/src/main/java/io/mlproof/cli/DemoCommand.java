package io.mlproof.cli;

import io.mlproof.pipelines.demo.DemoSpec;
import io.mlproof.pipelines.demo.DemoSummary;
import io.mlproof.pipelines.demo.DemoWarehouse;
import io.mlproof.pipelines.demo.DemoWarehouse.OnExisting;
import io.mlproof.pipelines.demo.ExperimentSimulator;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mlproof demo init}: the embedded demo warehouse (docs/DATA.md). */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "The embedded demo warehouse: a DuckDB file with the tables of a made-up e-commerce startup.",
    subcommands = {DemoCommand.Init.class, DemoCommand.SimulateExperiment.class})
final class DemoCommand {

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description =
          "Build the demo warehouse (users, events, payments), deterministic for a seed;"
              + " a no-op if the file already holds the same spec. The process is in docs/DATA.md.",
      showDefaultValues = true)
  static final class Init implements Callable<Integer> {

    @Spec CommandSpec command;

    @Option(names = "--path", description = "DuckDB file to create.")
    Path path = Path.of("build/demo/warehouse.duckdb");

    @Option(
        names = "--users",
        description = "Number of users (about 108 events each over 180 days).")
    int users = DemoSpec.DEFAULT_USERS;

    @Option(names = "--days", description = "Days of history.")
    int days = DemoSpec.DEFAULT_DAYS;

    @Option(names = "--start", description = "First day (UTC), YYYY-MM-DD.")
    LocalDate start = DemoSpec.DEFAULT_START;

    @Option(names = "--seed", description = "Seed of every pseudo-random draw.")
    long seed = DemoSpec.DEFAULT_SEED;

    @Option(
        names = "--bad-row-rate",
        description = "Share of valid events and payments that also get a malformed copy.")
    double badRowRate = DemoSpec.DEFAULT_BAD_ROW_RATE;

    @Option(names = "--force", description = "Rebuild even if the file exists (replacing it).")
    boolean force;

    @Override
    public Integer call() {
      long started = System.nanoTime();
      DemoSpec spec = new DemoSpec(users, days, start, seed, badRowRate);
      DemoSummary summary =
          DemoWarehouse.create(
              path, spec, force ? OnExisting.REPLACE : OnExisting.REUSE_IF_SAME_SPEC);
      command
          .commandLine()
          .getOut()
          .println(describe(summary, (System.nanoTime() - started) / 1e9));
      return 0;
    }
  }

  @Command(
      name = "simulate-experiment",
      mixinStandardHelpOptions = true,
      description =
          "Write what an assigned A/B experiment's users did afterwards into table ab_outcomes of the"
              + " demo warehouse, with a planted effect on targeted users (docs/DATA.md, \"The A/B experiment\").",
      showDefaultValues = true)
  static final class SimulateExperiment implements Callable<Integer> {

    @Spec CommandSpec command;

    @Option(
        names = "--path",
        description = "The demo warehouse (DuckDB file) holding the assignments.")
    Path path = Path.of("build/demo/warehouse.duckdb");

    @Option(
        names = "--experiment",
        required = true,
        description = "Experiment id given to `mlproof run assign`.")
    String experiment;

    @Option(
        names = "--assigned-on",
        required = true,
        description =
            "Assignment date (YYYY-MM-DD): the pre-period"
                + " covariate counts sessions in the 28 days before it.")
    LocalDate assignedOn;

    @Option(
        names = "--save-rate",
        description =
            "Planted effect: the share of targeted users' churn the campaign" + " prevents.")
    double saveRate = 0.3;

    @Option(names = "--seed", description = "Seed of the outcome draws.")
    long seed = DemoSpec.DEFAULT_SEED;

    @Option(names = "--assignments-table", description = "Table assign wrote.")
    String assignmentsTable = "ab_assignments";

    @Override
    public Integer call() {
      ExperimentSimulator.Summary s =
          ExperimentSimulator.simulate(
              path, experiment, assignedOn, saveRate, seed, assignmentsTable);
      command
          .commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "Simulated experiment %s in %s: %,d users, %,d churned;"
                  + " %,d targeted, %,d of them churned (planted save rate %.2f). Table %s; see docs/DATA.md.%n",
              experiment,
              path,
              s.users(),
              s.churned(),
              s.targeted(),
              s.targetedChurned(),
              saveRate,
              ExperimentSimulator.OUTCOMES_TABLE);
      return 0;
    }
  }

  /** One paragraph: the file, rows per table, the spec and the time taken. */
  static String describe(DemoSummary s, double seconds) {
    DemoSpec spec = s.spec();
    String rows =
        String.format(
            Locale.ROOT,
            "%,d users, %,d events (%,d deliberately malformed) and %,d payments (%,d malformed)"
                + " over %d days from %s, seed %d",
            s.users(),
            s.events(),
            s.badEvents(),
            s.payments(),
            s.badPayments(),
            spec.days(),
            spec.start(),
            spec.seed());
    String time = String.format(Locale.ROOT, "%.1f s", seconds);
    return switch (s.outcome()) {
      case BUILT ->
          "Built the demo warehouse "
              + s.file()
              + " in "
              + time
              + ": "
              + rows
              + ". Tables users, events and payments; demo_truth holds the latent traits of the generative"
              + " process (never a feature); see docs/DATA.md.";
      case REUSED ->
          "The demo warehouse "
              + s.file()
              + " already holds "
              + rows
              + "; nothing to do ("
              + time
              + "). Pass --force to rebuild it.";
    };
  }
}
