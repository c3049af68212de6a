package io.mlproof.bench;

import io.mlproof.pipelines.demo.DemoSpec;
import io.mlproof.pipelines.demo.DemoWarehouse;
import io.mlproof.pipelines.extract.ExtractPipeline;
import io.mlproof.pipelines.features.FeaturesOptions;
import io.mlproof.pipelines.features.FeaturesPipeline;
import io.mlproof.pipelines.features.SyntheticWarehouse;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.Manifest;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Events per second of the features stage over the demo warehouse (the one {@code mlproof demo
 * init} builds; 93,000 users make ~10M events), on Flink local (parallelism 2) and on the Direct
 * runner (checks off), side by side with DuckDB computing the same features and labels in one SQL
 * query over the same raw tables, in the same run. Run in a forked JVM (not mvn exec:java: it
 * breaks Flink).
 *
 * <p>The features stage reads what production reads: the shipped {@code entity_days} extract of
 * that warehouse (a daily rollup per user, computed in the warehouse and written by the extract
 * stage on Flink local, timed separately). Cutoffs and horizon are the demo DAG's training run at
 * 2024-06-03. Stage runs happen in the order given in one JVM, so the first pays the JVM's class
 * loading and JIT warm-up (as a DAG task, one stage per JVM, does) and later ones show the
 * steady-state rate. CPU seconds (the whole process's, during the run) are printed beside wall
 * time, since other work on a shared machine stretches wall time far more than CPU time.
 *
 * <p>Arguments: {@code [users (default 93000)] [work dir (default build/bench/features)] [runners:
 * flink or direct, comma-separated, in order (default flink,flink,flink,direct)]}. Writes Markdown.
 */
public final class FeaturesBenchmark {
  private static final List<String> CUTOFFS =
      List.of("2024-03-11", "2024-03-25", "2024-04-08", "2024-04-22");
  private static final int HORIZON_DAYS = 28;
  private static final String LOGICAL_DATE = "2024-06-03";

  private FeaturesBenchmark() {}

  public static void main(String[] args) throws Exception {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 93_000;
    Path work = Path.of(args.length > 1 ? args[1] : "build/bench/features").toAbsolutePath();
    List<String> runners =
        List.of((args.length > 2 ? args[2] : "flink,flink,flink,direct").split(","));
    Files.createDirectories(work);
    Path db = work.resolve("warehouse.duckdb");
    Files.deleteIfExists(db);
    List<String> notes = new ArrayList<>();
    List<String> rows = new ArrayList<>();

    Clock clock = Clock.start();
    DemoWarehouse.create(db, DemoSpec.defaults().withUsers(users));
    long events = SyntheticWarehouse.count(db, "events");
    notes.add(
        String.format(
            Locale.ROOT,
            "data: demo warehouse, %,d users, %,d events, %,d payments;" + " generated in %.1f s",
            users,
            events,
            SyntheticWarehouse.count(db, "payments"),
            clock.wall()));

    clock = Clock.start();
    Path extract = work.resolve("extract");
    Manifest extracted =
        ExtractPipeline.run(
            ExtractPipeline.parse(
                "--warehouse=duckdb:" + db,
                "--output=" + extract,
                "--recordType=entity_days",
                "--logicalDate=" + LOGICAL_DATE,
                "--lookbackDays=180",
                "--runner=FlinkRunner",
                "--flinkMaster=[local]",
                "--parallelism=2"),
            Warehouse.parse("duckdb:" + db),
            new PrintStream(OutputStream.nullOutputStream()));
    long rollupRows = extracted.getCountersOrThrow("records");
    notes.add(
        String.format(
            Locale.ROOT,
            "input: the extract stage's entity_days rollup, %,d rows in %d file(s)"
                + " (%.1f events per row), extracted on Flink local in %.1f s (not counted below)",
            rollupRows,
            countFiles(extract),
            (double) events / rollupRows,
            clock.wall()));

    clock = Clock.start();
    long sqlExamples = duckdb(db);
    Clock.Lap sql = clock.lap();
    rows.add(
        row(
            "DuckDB, one SQL query over the raw tables (2 threads)",
            sql,
            events,
            sqlExamples,
            sql.wall()));

    int n = 0;
    for (String runner : runners) {
      n++;
      List<String> options =
          new ArrayList<>(
              List.of(
                  "--input=" + extract,
                  "--output=" + work.resolve("features-" + n),
                  "--cutoffs=" + String.join(",", CUTOFFS),
                  "--horizonDays=" + HORIZON_DAYS));
      options.addAll(
          switch (runner) {
            case "direct" ->
                List.of(
                    "--runner=DirectRunner",
                    "--enforceImmutability=false",
                    "--enforceEncodability=false",
                    "--targetParallelism=2");
            case "flink" ->
                List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2");
            default ->
                throw new IllegalArgumentException("runner " + runner + ": use flink or direct");
          });
      FeaturesOptions o =
          PipelineOptionsFactory.fromArgs(options.toArray(String[]::new)).as(FeaturesOptions.class);
      clock = Clock.start();
      Manifest m = FeaturesPipeline.run(o);
      Clock.Lap stage = clock.lap();
      long examples = m.getCountersOrDefault("examples", 0);
      String what = "features stage, " + runner + " (run " + n + " in this JVM)";
      rows.add(
          row(
              what + (examples == sqlExamples ? "" : " EXAMPLES DIFFER FROM SQL"),
              stage,
              events,
              examples,
              sql.wall()));
    }
    System.out.println("| what | wall s | CPU s | events/s (wall) | examples | wall vs DuckDB |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    rows.forEach(System.out::println);
    notes.forEach(l -> System.out.println("\n" + l));
    System.out.println(
        "\ncutoffs "
            + CUTOFFS
            + ", horizon "
            + HORIZON_DAYS
            + " days, "
            + Runtime.getRuntime().availableProcessors()
            + " cores, load average before the last run "
            + String.format(
                Locale.ROOT,
                "%.1f",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
  }

  /** The reference churn_v1 query (the parity test's), fully consumed; returns its row count. */
  private static long duckdb(Path db) throws Exception {
    try (Connection c = SyntheticWarehouse.connect(db);
        Statement s = c.createStatement()) {
      s.execute("SET threads = 2");
      long count = 0;
      try (ResultSet r = s.executeQuery(SyntheticWarehouse.referenceQuery(CUTOFFS, HORIZON_DAYS))) {
        while (r.next()) {
          count++;
        }
      }
      return count;
    }
  }

  private static long countFiles(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().startsWith("records-")).count();
    }
  }

  private static String row(
      String what, Clock.Lap lap, long events, long examples, double duckdbWall) {
    return String.format(
        Locale.ROOT,
        "| %s | %.2f | %.2f | %,.0f | %,d | %.1fx |",
        what,
        lap.wall(),
        lap.cpu(),
        events / lap.wall(),
        examples,
        lap.wall() / duckdbWall);
  }

  /** Wall-clock and whole-process CPU time since a start. */
  record Clock(long wallNanos, long cpuNanos) {
    record Lap(double wall, double cpu) {}

    static Clock start() {
      return new Clock(System.nanoTime(), cpu());
    }

    double wall() {
      return (System.nanoTime() - wallNanos) / 1e9;
    }

    Lap lap() {
      return new Lap(wall(), (cpu() - cpuNanos) / 1e9);
    }

    private static long cpu() {
      return ((com.sun.management.OperatingSystemMXBean)
              ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime();
    }
  }
}
