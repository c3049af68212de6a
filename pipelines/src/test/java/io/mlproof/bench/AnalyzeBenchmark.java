package io.mlproof.bench;

import io.mlproof.pipelines.ab.AnalyzeOptions;
import io.mlproof.pipelines.ab.AnalyzePipeline;
import io.mlproof.pipelines.ab.AssignOptions;
import io.mlproof.pipelines.ab.AssignPipeline;
import io.mlproof.pipelines.core.OptionsParser;
import io.mlproof.pipelines.demo.DemoFixtures;
import io.mlproof.pipelines.demo.DemoSpec;
import io.mlproof.pipelines.demo.DemoWarehouse;
import io.mlproof.pipelines.demo.ExperimentSimulator;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The A/B analysis (issue 14): {@code run analyze} of every assigned demo user against its peer,
 * one DuckDB query doing the same join of assignments and outcomes and the same sums per (arm,
 * flagged), in the same JVM and run, each twice, alternating. The Direct runner is the case that
 * was slow: it hands every key after a GroupByKey to the next step in a bundle of its own
 * (core.Rebundle says why); Flink local is measured too. Set-up (demo warehouse, stand-in scores,
 * assign on Flink, the simulated outcomes) is not timed and is reused from the work dir when
 * complete.
 *
 * <p>Arguments: {@code [users (default 10000)] [work dir (default build/bench/analyze)]}. Run in a
 * forked JVM (not mvn exec:java: it breaks Flink). Writes Markdown.
 */
public final class AnalyzeBenchmark {
  private static final String DAY = "2024-06-03";
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
  private static final String PEER_SQL =
      "SELECT a.arm, a.flagged, count(*), sum(CAST(o.churned AS DOUBLE)),"
          + " sum(CAST(o.pre_sessions AS DOUBLE)), sum(CAST(o.churned AS DOUBLE) * o.pre_sessions),"
          + " sum(CAST(o.pre_sessions AS DOUBLE) * o.pre_sessions) FROM ab_assignments a JOIN ab_outcomes o"
          + " USING (experiment_id, entity_id) WHERE a.experiment_id = 'bench' GROUP BY a.arm, a.flagged";

  private AnalyzeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    Path work = Path.of(args.length > 1 ? args[1] : "build/bench/analyze").toAbsolutePath();
    Files.createDirectories(work);
    Path db = work.resolve("warehouse.duckdb");
    Path assign = work.resolve("assign");
    Path ready = work.resolve("setup-" + users + ".done");
    if (!Files.exists(ready)) {
      Files.deleteIfExists(db);
      DemoWarehouse.create(db, DemoSpec.defaults().withUsers(users));
      Path scores = DemoFixtures.standInScores(db, work.resolve("scores"), LocalDate.parse(DAY));
      AssignPipeline.run(
          OptionsParser.parse(
              "assign",
              new String[] {
                "--warehouse=duckdb:" + db,
                "--output=" + assign,
                "--scores=" + scores,
                "--experimentId=bench",
                "--logicalDate=" + DAY,
                "--runner=FlinkRunner",
                "--parallelism=2"
              },
              AssignOptions.class),
          QUIET);
      ExperimentSimulator.simulate(db, "bench", LocalDate.parse(DAY), 0.3, 11, "ab_assignments");
      Files.writeString(ready, "warehouse, assignments and outcomes for " + users + " users\n");
    }
    long entities = count(db, "SELECT count(*) FROM ab_outcomes WHERE experiment_id = 'bench'");

    List<String> rows = new ArrayList<>();
    double[] sums = new double[3];
    for (int round = 0; round < 2; round++) {
      FeaturesBenchmark.Clock clock = FeaturesBenchmark.Clock.start();
      long groups = count(db, "SELECT count(*) FROM (" + PEER_SQL + ")");
      FeaturesBenchmark.Clock.Lap peer = clock.lap();
      clock = FeaturesBenchmark.Clock.start();
      analyze(
          db,
          assign,
          work.resolve("direct-" + round),
          "--runner=DirectRunner",
          "--targetParallelism=2",
          "--enforceImmutability=false",
          "--enforceEncodability=false");
      FeaturesBenchmark.Clock.Lap direct = clock.lap();
      clock = FeaturesBenchmark.Clock.start();
      analyze(
          db, assign, work.resolve("flink-" + round), "--runner=FlinkRunner", "--parallelism=2");
      FeaturesBenchmark.Clock.Lap flink = clock.lap();
      sums[0] += peer.wall();
      sums[1] += direct.wall();
      sums[2] += flink.wall();
      rows.add(
          String.format(
              Locale.ROOT,
              "| %d | %.2f (%d groups) | %.1f (%.1fx) | %.1f (%.1fx) |",
              round + 1,
              peer.wall(),
              groups,
              direct.wall(),
              direct.wall() / peer.wall(),
              flink.wall(),
              flink.wall() / peer.wall()));
    }
    System.out.printf(
        Locale.ROOT,
        "data: demo warehouse, %,d users; %,d assigned entities with outcomes%n%n",
        users,
        entities);
    System.out.println(
        "| round | DuckDB join + sums, s | analyze, Direct, s (x DuckDB) | analyze, Flink local p=2, s"
            + " (x DuckDB) |");
    System.out.println("|---|---|---|---|");
    rows.forEach(System.out::println);
    System.out.printf(
        Locale.ROOT,
        "%nover both rounds: Direct %.1fx DuckDB, Flink %.1fx DuckDB; Direct %,.0f"
            + " entities/s%n",
        sums[1] / sums[0],
        sums[2] / sums[0],
        2 * entities / sums[1]);
  }

  private static void analyze(Path db, Path assign, Path output, String... runner) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--warehouse=duckdb:" + db,
                "--output=" + output,
                "--assignments=" + assign,
                "--logicalDate=2024-07-01"));
    args.addAll(List.of(runner));
    AnalyzePipeline.run(
        OptionsParser.parse("analyze", args.toArray(String[]::new), AnalyzeOptions.class), QUIET);
  }

  private static long count(Path db, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }
}
