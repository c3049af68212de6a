package io.mlproof.bench;

import io.mlproof.pipelines.extract.ExtractOptions;
import io.mlproof.pipelines.extract.ExtractPipeline;
import io.mlproof.pipelines.extract.ProtoCodedExtract;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Extraction speed on DuckDB: a generated events table (default 1,000,000 rows, all valid, one day)
 * read by {@code mlproof run extract --recordType=events}, on the Direct runner (Beam's defaults,
 * then with its immutability/encodability checks off) and on the Flink runner (local, parallelism
 * 2). The peer, measured in the same run, is a plain JDBC loop reading the same query with the same
 * getters: the ceiling for any pipeline on this machine. The {@code FLINK_PROTO_CODED} modes run
 * {@link ProtoCodedExtract}, the extract before its records left the parse step serialized, so
 * before and after are measured in one run.
 *
 * <p>Run (forked JVM; {@code mvn exec:java} breaks Flink's class loading):
 *
 * <pre>
 * mvn -o -q -pl pipelines -am test-compile
 * mvn -o -q -pl pipelines dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -Xmx3g --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
 *   --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
 *   -cp pipelines/target/classes:pipelines/target/test-classes:$(cat /tmp/cp.txt) \
 *   io.mlproof.bench.ExtractBenchmark [rows]
 * </pre>
 */
public final class ExtractBenchmark {

  private static final String CLUSTER_MASTER = System.getenv(SessionCluster.MASTER_ENV);
  private static final String CLUSTER_STAGE = System.getenv(SessionCluster.STAGE_ENV);

  private ExtractBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    // Optional mode names after the row count, e.g. DIRECT_NO_CHECKS FLINK; all by default.
    List<Mode> modes =
        args.length > 1
            ? java.util.Arrays.stream(args).skip(1).map(Mode::valueOf).toList()
            : java.util.Arrays.stream(Mode.values())
                .filter(m -> m != Mode.FLINK_CLUSTER || CLUSTER_MASTER != null)
                .toList();
    Path dir = Files.createTempDirectory("extract-bench");
    Path file = dir.resolve("events.duckdb");
    long generate = time(() -> generate(file, rows));
    System.out.printf(Locale.ROOT, "generated %,d events in %.1f s%n", rows, generate / 1e9);

    // Pay class loading and JIT warm-up once, on a small table, before anything is timed.
    Path small = dir.resolve("warmup.duckdb");
    generate(small, 10_000);
    // The warm-up's times are printed too: at 10,000 rows they are mostly a job's fixed cost.
    for (Mode mode : modes) {
      long nanos = time(() -> extract(small, dir.resolve("warmup-" + mode.name()), 10_000, mode));
      System.out.printf(Locale.ROOT, "warm-up, 10,000 rows, %s: %.1f s%n", mode, nanos / 1e9);
    }

    List<String> lines = new ArrayList<>();
    // JDBC loops: one untimed pass each (JIT, DuckDB's buffer cache), then the median of three.
    for (Times times : Times.values()) {
      jdbcLoop(file, rows, times);
    }
    long jdbc = median(() -> jdbcLoop(file, rows, Times.GET_LONG));
    lines.add(
        line(
            "plain JDBC loop, times by getLong (peer; what mlproof's reader does)",
            rows,
            jdbc,
            jdbc));
    long jdbcObject = median(() -> jdbcLoop(file, rows, Times.GET_OBJECT));
    lines.add(line("plain JDBC loop, times by getObject(LocalDateTime)", rows, jdbcObject, jdbc));
    long jdbcSql = median(() -> jdbcLoop(file, rows, Times.IN_SQL));
    lines.add(line("plain JDBC loop, times as epoch_us(...) in SQL", rows, jdbcSql, jdbc));
    for (Mode mode : modes) {
      long nanos = time(() -> extract(file, dir.resolve(mode.name()), rows, mode));
      lines.add(line(mode.label, rows, nanos, jdbc));
      if (mode == Mode.FLINK_CLUSTER) {
        // The job alone, as the JobManager timed it: the extract without the client's planning.
        long job = SessionCluster.lastJobMillis(CLUSTER_MASTER) * 1_000_000L;
        lines.add(
            line(
                "  the same extract's job on the cluster (JobManager's duration)",
                rows,
                job,
                jdbc));
      }
    }
    System.out.println("| reader | seconds | rows/s | time vs plain JDBC |");
    System.out.println("|---|---|---|---|");
    lines.forEach(System.out::println);
  }

  private enum Mode {
    DIRECT("extract, Direct runner (defaults)"),
    DIRECT_NO_CHECKS(
        "extract, Direct runner, checks off",
        "--enforceImmutability=false",
        "--enforceEncodability=false"),
    FLINK_ONE_READ(
        "extract, Flink runner (local, parallelism 2), one read (--readPartitions=1)",
        "--runner=FlinkRunner",
        "--parallelism=2",
        "--readPartitions=1"),
    FLINK_PROTO_CODED(
        true,
        "extract before (records ProtoCoder-coded between operators, Flink's copy on), Flink local p=2,"
            + " 8 parallel reads",
        "--runner=FlinkRunner",
        "--parallelism=2"),
    FLINK_PROTO_CODED_FASTER_COPY(
        true,
        "extract before, with --fasterCopy=true only, Flink local p=2, 8 parallel reads",
        "--runner=FlinkRunner",
        "--parallelism=2",
        "--fasterCopy=true"),
    FLINK(
        "extract, Flink runner (local, parallelism 2), 8 parallel reads (default)",
        "--runner=FlinkRunner",
        "--parallelism=2"),
    /**
     * A running session cluster with the bundled jar on its class path ({@code mlproof flink start
     * --job-jar}), at {@code $MLPROOF_BENCH_FLINK_MASTER}, staging {@code
     * $MLPROOF_BENCH_FILES_TO_STAGE}: what a DAG task's job is on the run's cluster. Skipped when
     * the variables are not set.
     */
    FLINK_CLUSTER(
        "extract, Flink session cluster (bundled jar on its class path, parallelism 2), 8 parallel"
            + " reads",
        "--runner=FlinkRunner",
        "--parallelism=2");

    final String label;
    final String[] args;

    /** Runs {@link ProtoCodedExtract} (the extract before serialized records) instead. */
    final boolean protoCoded;

    Mode(String label, String... args) {
      this(false, label, args);
    }

    Mode(boolean protoCoded, String label, String... args) {
      this.protoCoded = protoCoded;
      this.label = label;
      this.args = args;
    }
  }

  private static String line(String label, int rows, long nanos, long peerNanos) {
    return String.format(
        Locale.ROOT,
        "| %s | %.1f | %,.0f | %.1fx |",
        label,
        nanos / 1e9,
        rows / (nanos / 1e9),
        (double) nanos / peerNanos);
  }

  private static void generate(Path file, int rows) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE events (event_id BIGINT, user_id BIGINT, event_type VARCHAR, event_at TIMESTAMP,"
              + " amount DECIMAL(12,2))");
      // Spread over 2024-01-07 in microsecond steps; every 10th event is a purchase with an amount.
      s.execute(
          "INSERT INTO events SELECT i, i % 50000,"
              + " CASE i % 10 WHEN 0 THEN 'purchase' WHEN 1 THEN 'add_to_cart' WHEN 2 THEN 'session_start'"
              + " ELSE 'page_view' END,"
              + " TIMESTAMP '2024-01-07 00:00:00' + to_microseconds(i * (86400000000 // "
              + rows
              + ")),"
              + " CASE WHEN i % 10 = 0 THEN CAST((i % 10000) / 100.0 AS DECIMAL(12,2)) END"
              + " FROM range("
              + rows
              + ") t(i)");
    }
  }

  /** How the JDBC loop reads the TIMESTAMP column. */
  private enum Times {
    GET_LONG,
    GET_OBJECT,
    IN_SQL
  }

  /** The events template's query, read with plain JDBC getters. */
  private static void jdbcLoop(Path file, int expected, Times times) throws Exception {
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    long count = 0;
    long checksum = 0;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file, readOnly);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT event_id, user_id, event_type, "
                    + (times == Times.IN_SQL ? "epoch_us(event_at)" : "event_at")
                    + ", amount FROM \"events\""
                    + " WHERE (event_at >= TIMESTAMP '2024-01-07 00:00:00' AND event_at < TIMESTAMP '2024-01-08 00:00:00')"
                    + " OR event_at IS NULL")) {
      while (rs.next()) {
        checksum +=
            rs.getLong(1)
                + rs.getLong(2)
                + rs.getString(3).length()
                + (times == Times.GET_OBJECT
                    ? rs.getObject(4, LocalDateTime.class).getNano()
                    : rs.getLong(4))
                + (rs.getBigDecimal(5) == null ? 0 : 1);
        count++;
      }
    }
    if (count != expected || checksum == 0) {
      throw new IllegalStateException("read " + count + " rows, expected " + expected);
    }
  }

  private static void extract(Path file, Path out, int expected, Mode mode) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--warehouse=duckdb:" + file,
                "--output=" + out,
                "--recordType=events",
                "--logicalDate=2024-01-07"));
    args.addAll(List.of(mode.args));
    if (mode == Mode.FLINK_CLUSTER) {
      if (CLUSTER_MASTER == null || CLUSTER_STAGE == null) {
        throw new IllegalStateException(
            "FLINK_CLUSTER needs MLPROOF_BENCH_FLINK_MASTER and MLPROOF_BENCH_FILES_TO_STAGE");
      }
      args.add("--flinkMaster=" + CLUSTER_MASTER);
      args.add("--filesToStage=" + CLUSTER_STAGE);
    }
    ExtractOptions options = ExtractPipeline.parse(args.toArray(String[]::new));
    Warehouse warehouse = Warehouse.parse("duckdb:" + file);
    Manifest manifest =
        mode.protoCoded
            ? ProtoCodedExtract.run(options, warehouse)
            : ExtractPipeline.run(options, warehouse, System.out);
    if (manifest.getCountersOrDefault("records", 0) != expected) {
      throw new IllegalStateException(
          "extracted " + manifest.getCountersMap() + ", expected " + expected + " records");
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static long median(Step step) throws Exception {
    long[] runs = {time(step), time(step), time(step)};
    java.util.Arrays.sort(runs);
    return runs[1];
  }

  private static long time(Step step) throws Exception {
    long start = System.nanoTime();
    step.run();
    return System.nanoTime() - start;
  }
}
