package io.mlproof.bench;

import io.mlproof.pipelines.demo.DemoSpec;
import io.mlproof.pipelines.demo.DemoSummary;
import io.mlproof.pipelines.demo.DemoWarehouse;
import io.mlproof.pipelines.demo.DemoWarehouse.OnExisting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * How fast {@code mlproof demo init} generates about 10 million events (93,000 users over 180
 * days), against a peer measured in the same run: DuckDB writing a plain 10-million-row table of
 * the same shape as {@code events} to a file. The ratio is what to compare across machines.
 *
 * <p>Run: {@code bin/mlproof-bench DemoGeneration} (argument: an output directory, unused here; the
 * markdown goes to stdout).
 */
public final class DemoGenerationBenchmark {

  private static final DemoSpec SPEC = DemoSpec.defaults().withUsers(93_000);
  private static final int ROUNDS = 2;

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("mlproof-demo-bench");
    try {
      // Warm-up: loads DuckDB's native library and the JIT, excluded from the timings.
      DemoWarehouse.create(dir.resolve("warm.duckdb"), DemoSpec.small(1));
      double bestDemo = Double.MAX_VALUE;
      double bestPeer = Double.MAX_VALUE;
      StringBuilder rounds = new StringBuilder();
      DemoSummary summary = null;
      for (int round = 1; round <= ROUNDS; round++) {
        long t = System.nanoTime();
        summary = DemoWarehouse.create(dir.resolve("demo.duckdb"), SPEC, OnExisting.REPLACE);
        double demo = (System.nanoTime() - t) / 1e9;
        double peer = plainTable(dir.resolve("peer" + round + ".duckdb"), summary.events());
        rounds.append(
            String.format(
                Locale.ROOT, "%s demo %.2f s / peer %.2f s", round == 1 ? "" : ";", demo, peer));
        bestDemo = Math.min(bestDemo, demo);
        bestPeer = Math.min(bestPeer, peer);
      }
      long events = summary.events();
      System.out.printf(Locale.ROOT, "## Demo warehouse generation (`mlproof demo init`)%n%n");
      System.out.printf(
          Locale.ROOT,
          "%d cores, best of %d rounds; spec: %s.%n%n",
          Runtime.getRuntime().availableProcessors(),
          ROUNDS,
          SPEC);
      System.out.printf(Locale.ROOT, "| what | rows | seconds | rows/s |%n|---|---|---|---|%n");
      System.out.printf(
          Locale.ROOT,
          "| demo init: users, events, payments, truth (events counted) | %,d | %.2f | %,.0f |%n",
          events,
          bestDemo,
          events / bestDemo);
      System.out.printf(
          Locale.ROOT,
          "| peer: plain %d-row table of the events' shape | %,d | %.2f | %,.0f |%n",
          events,
          events,
          bestPeer,
          events / bestPeer);
      System.out.printf(
          Locale.ROOT,
          "%nRatio demo / peer time: %.1f (malformed events: %,d; payments: %,d; users: %,d). Rounds:%s.%n",
          bestDemo / bestPeer,
          summary.badEvents(),
          summary.payments(),
          summary.users(),
          rounds);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * Seconds for DuckDB to write {@code rows} rows shaped like {@code events} from {@code range()}.
   */
  private static double plainTable(Path file, long rows) throws Exception {
    long t = System.nanoTime();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement s = c.createStatement()) {
      s.execute("SET preserve_insertion_order = false");
      s.execute(
          "CREATE TABLE events AS SELECT i AS event_id, i // 108 AS user_id,"
              + " ['session_start', 'page_view', 'add_to_cart', 'purchase'][1 + i % 4] AS event_type,"
              + " TIMESTAMP '2024-01-01' + to_seconds(i % 15552000) AS event_at,"
              + " CASE WHEN i % 30 = 0 THEN (i % 10000 / 100)::DECIMAL(12, 2) END AS amount FROM range("
              + rows
              + ") t(i)");
      s.execute("CHECKPOINT");
    }
    return (System.nanoTime() - t) / 1e9;
  }
}
