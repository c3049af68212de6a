package io.mlproof.bench;

import io.mlproof.pipelines.features.FeaturesOptions;
import io.mlproof.pipelines.features.FeaturesPipeline;
import io.mlproof.pipelines.features.SyntheticWarehouse;
import io.mlproof.proto.v1.Manifest;
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
 * Events per second of the features stage on the Direct runner (checks off) and on Flink local
 * (parallelism 2), side by side with DuckDB computing the same features in one SQL query over the
 * same raw events, in the same run. Run in a forked JVM (not mvn exec:java: it breaks Flink).
 *
 * <p>Arguments: {@code [events (default 10000000)] [work dir (default build/bench/features)]
 * [runners, run in order: direct, flink, or either with "-unordered" to read a rollup not sorted by
 * user; flink-nocopy adds --fasterCopy=true --objectReuse=true (default flink,flink: the first run in
 * a JVM includes its warm-up)]}.
 * Writes a Markdown table to stdout.
 */
public final class FeaturesBenchmark {
  /** The synthetic generator makes about this many events per user over 182 days. */
  private static final double EVENTS_PER_USER = 145;
  private static final List<String> CUTOFFS = List.of("2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01");

  private FeaturesBenchmark() {}

  public static void main(String[] args) throws Exception {
    long target = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    Path work = Path.of(args.length > 1 ? args[1] : "build/bench/features").toAbsolutePath();
    List<String> runners = List.of((args.length > 2 ? args[2] : "flink,flink").split(","));
    Files.createDirectories(work);
    Path db = work.resolve("warehouse.duckdb");
    Files.deleteIfExists(db);
    List<String> lines = new ArrayList<>();

    long t0 = System.nanoTime();
    SyntheticWarehouse.create(db, (int) Math.ceil(target / EVENTS_PER_USER), 182);
    double generate = seconds(t0);
    long events = SyntheticWarehouse.count(db, "events");
    long payments = SyntheticWarehouse.count(db, "payments");
    lines.add(String.format(Locale.ROOT, "data: %,d events, %,d payments, %,d users; generated in %.1f s",
        events, payments, SyntheticWarehouse.count(db, "users"), generate));

    t0 = System.nanoTime();
    long rows = SyntheticWarehouse.writeEntityDays(db, work.resolve("extract"));
    double rollup = seconds(t0);
    if (runners.stream().anyMatch(r -> r.endsWith("-unordered"))) {
      SyntheticWarehouse.writeEntityDays(db, work.resolve("extract-unordered"), false);
    }
    lines.add(String.format(Locale.ROOT, "rollup: %,d EntityDay rows (%.1f events per row) in %.2f s"
        + " (DuckDB SQL + JDBC + TFRecord write)", rows, (double) events / rows, rollup));

    t0 = System.nanoTime();
    long sqlRows = duckdb(db);
    double sql = seconds(t0);
    lines.add(row("DuckDB, one SQL query over raw events (2 threads)", sql, events, sqlRows, sql));

    for (String runner : runners) {
      boolean unordered = runner.endsWith("-unordered");
      List<String> options = new ArrayList<>(List.of("--input=" + work.resolve(unordered ? "extract-unordered" : "extract"),
          "--output=" + work.resolve("features-" + runner), "--cutoffs=" + String.join(",", CUTOFFS)));
      if (runner.startsWith("direct")) {
        options.addAll(List.of("--runner=DirectRunner", "--enforceImmutability=false", "--enforceEncodability=false",
            "--targetParallelism=2"));
      } else {
        options.addAll(List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2"));
        if (runner.contains("-nocopy")) { // Flink passes objects between chained operators uncopied
          options.addAll(List.of("--fasterCopy=true", "--objectReuse=true"));
        }
      }
      FeaturesOptions o = PipelineOptionsFactory.fromArgs(options.toArray(String[]::new)).as(FeaturesOptions.class);
      t0 = System.nanoTime();
      Manifest m = FeaturesPipeline.run(o);
      double stage = seconds(t0);
      lines.add(row("features stage, " + runner + " (whole stage: start-up, read, combine, write, statistics)",
          stage, events, m.getCountersOrDefault("examples", 0), sql));
      lines.add(row("features stage, " + runner + " + the warehouse rollup", stage + rollup, events,
          m.getCountersOrDefault("examples", 0), sql));
    }
    System.out.println("| what | seconds | events/s | examples | time vs DuckDB |");
    System.out.println("|---|---:|---:|---:|---:|");
    lines.stream().filter(l -> l.startsWith("|")).forEach(System.out::println);
    lines.stream().filter(l -> !l.startsWith("|")).forEach(l -> System.out.println("\n" + l));
    System.out.println("\ncutoffs " + CUTOFFS + ", " + Runtime.getRuntime().availableProcessors() + " cores");
  }

  /** The reference churn_v1 query, fully consumed; returns its row count. */
  private static long duckdb(Path db) throws Exception {
    try (Connection c = SyntheticWarehouse.connect(db); Statement s = c.createStatement()) {
      s.execute("SET threads = 2");
      long n = 0;
      try (ResultSet r = s.executeQuery(SyntheticWarehouse.referenceQuery(CUTOFFS, 30))) {
        while (r.next()) {
          n++;
        }
      }
      return n;
    }
  }

  private static String row(String what, double secs, long events, long examples, double duckdbSecs) {
    return String.format(Locale.ROOT, "| %s | %.2f | %,.0f | %,d | %.1fx |", what, secs, events / secs, examples,
        secs / duckdbSecs);
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
