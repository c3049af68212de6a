package io.mlproof.pipelines.demo;

import io.mlproof.pipelines.core.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embedded demo warehouse: a DuckDB file with {@code users}, {@code events} and {@code
 * payments} of a made-up e-commerce startup (see docs/DATA.md), plus {@code demo_truth} (the latent
 * traits; never a feature) and {@code mlproof_demo_meta} (the spec it was built for).
 *
 * <p>Everything is generated inside DuckDB by {@code generate.sql} (set-based SQL, no row-by-row
 * inserts) into a temporary file next to the target, which is renamed into place only when
 * complete: a crash never leaves a half-built warehouse under the target name.
 *
 * <p>Test fixture for other stages: {@code DemoWarehouse.create(dir.resolve("w.duckdb"),
 * DemoSpec.small(seed))}, or {@code DemoFixtures.smallWarehouse(dir, seed)} from the pipelines
 * test-jar (built once per JVM, copied per call).
 */
public final class DemoWarehouse {

  /** Version of the generative process; a warehouse built by another version is not reused. */
  public static final int PROCESS_VERSION = 1;

  public static final String META_TABLE = "mlproof_demo_meta";
  public static final String TRUTH_TABLE = "demo_truth";

  private static final String SCRIPT = "generate.sql";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_]+)}");
  private static final Pattern STATEMENT_END = Pattern.compile(";[ \\t]*(\\r?\\n|$)");

  /** What {@link #create} does when the file already exists. */
  public enum OnExisting {
    /** Keep a warehouse built for the same spec (a fast no-op); anything else is an error. */
    REUSE_IF_SAME_SPEC,
    /** Build anew and replace whatever is there ({@code --force}). */
    REPLACE
  }

  private DemoWarehouse() {}

  /**
   * Builds the warehouse at {@code file}, or reuses it if it was already built for {@code spec}.
   */
  public static DemoSummary create(Path file, DemoSpec spec) {
    return create(file, spec, OnExisting.REUSE_IF_SAME_SPEC);
  }

  public static DemoSummary create(Path file, DemoSpec spec, OnExisting onExisting) {
    return create(file, spec, onExisting, 0);
  }

  /**
   * {@code threads} > 0 caps DuckDB's threads (tests use it to show the result does not depend on
   * it).
   */
  static DemoSummary create(Path file, DemoSpec spec, OnExisting onExisting, int threads) {
    Path target = file.toAbsolutePath().normalize();
    if (Files.isDirectory(target)) {
      throw new InvalidInputException(
          "--path "
              + file
              + " is a directory; give a file such as "
              + file.resolve("warehouse.duckdb"));
    }
    if (Files.exists(target) && onExisting == OnExisting.REUSE_IF_SAME_SPEC) {
      return reuse(target, spec);
    }
    return build(target, spec, threads);
  }

  /** The spec a demo warehouse was built for, or empty if {@code file} is not one. */
  public static Optional<DemoSpec> readSpec(Path file) {
    try {
      return Optional.of(readStored(file.toAbsolutePath().normalize()).spec());
    } catch (InvalidInputException e) {
      return Optional.empty();
    }
  }

  /** The generation script with the spec filled in, as statements in execution order. */
  static List<String> statements(DemoSpec spec) {
    Map<String, String> values =
        Map.of(
            "users", Integer.toString(spec.users()),
            "days", Integer.toString(spec.days()),
            "start", spec.start().toString(),
            // Parenthesized so that Long.MIN_VALUE survives the ::BIGINT casts in the script.
            "seed", "(" + spec.seed() + ")",
            // Double.toString round-trips exactly, so the stored rate equals the spec's.
            "bad_row_rate", Double.toString(spec.badRowRate()),
            "process_version", Integer.toString(PROCESS_VERSION));
    Matcher m = PLACEHOLDER.matcher(script());
    StringBuilder sql = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException(SCRIPT + " uses an unknown placeholder " + m.group());
      }
      m.appendReplacement(sql, Matcher.quoteReplacement(value));
    }
    m.appendTail(sql);
    List<String> statements = new ArrayList<>();
    for (String part : STATEMENT_END.split(sql)) {
      if (part.lines().anyMatch(line -> !line.isBlank() && !line.strip().startsWith("--"))) {
        statements.add(part.strip());
      }
    }
    return statements;
  }

  private static String script() {
    try (InputStream in = DemoWarehouse.class.getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IllegalStateException(SCRIPT + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static DemoSummary reuse(Path target, DemoSpec spec) {
    try (Connection c = readOnly(target);
        Statement s = c.createStatement()) {
      Stored stored = readStored(target, s);
      if (stored.processVersion() != PROCESS_VERSION || !stored.spec().equals(spec)) {
        throw new InvalidInputException(
            target
                + " holds a demo warehouse for "
                + stored.spec()
                + (stored.processVersion() == PROCESS_VERSION
                    ? ""
                    : " (process version " + stored.processVersion() + ")")
                + "; pass --force to rebuild it for "
                + spec
                + ", or choose another --path");
      }
      return summarize(target, spec, DemoSummary.Outcome.REUSED, s);
    } catch (SQLException e) {
      throw unreadable(target, e);
    }
  }

  private static DemoSummary build(Path target, DemoSpec spec, int threads) {
    Path dir = target.getParent();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot create directory "
              + dir
              + " for the demo warehouse ("
              + e
              + "); choose another --path",
          e);
    }
    // Hidden, unique and in the same directory, so the final rename is atomic and concurrent
    // builders never share a file.
    Path building = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".building");
    try {
      DemoSummary summary;
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + building);
          Statement s = c.createStatement()) {
        if (threads > 0) {
          s.execute("SET threads = " + threads);
        }
        for (String statement : statements(spec)) {
          s.execute(statement);
        }
        summary = summarize(target, spec, DemoSummary.Outcome.BUILT, s);
        s.execute("CHECKPOINT");
      }
      // A write-ahead log left by an unclean close of the old file would be replayed into the new
      // one.
      Files.deleteIfExists(wal(target));
      Files.move(
          building, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return summary;
    } catch (SQLException e) {
      throw new IllegalStateException("generating the demo warehouse failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot write the demo warehouse "
              + target
              + " ("
              + e
              + "); check the path and free space",
          e);
    } finally {
      deleteQuietly(building);
      deleteQuietly(wal(building));
    }
  }

  private static Path wal(Path database) {
    return database.resolveSibling(database.getFileName() + ".wal");
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Only a leftover hidden temporary file; the warehouse itself is complete or absent.
    }
  }

  /** What the meta table of an existing file says. */
  private record Stored(int processVersion, DemoSpec spec, long badEvents, long badPayments) {}

  private static Stored readStored(Path file) {
    try (Connection c = readOnly(file);
        Statement s = c.createStatement()) {
      return readStored(file, s);
    } catch (SQLException e) {
      throw unreadable(file, e);
    }
  }

  private static InvalidInputException unreadable(Path file, SQLException e) {
    return new InvalidInputException(
        file
            + " exists but cannot be read as a DuckDB database ("
            + firstLine(e.getMessage())
            + "); pass --force to replace it, or choose another --path",
        e);
  }

  private static Stored readStored(Path file, Statement s) throws SQLException {
    try (ResultSet tables =
        s.executeQuery(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = '" + META_TABLE + "'")) {
      tables.next();
      if (tables.getLong(1) == 0) {
        throw new InvalidInputException(
            file
                + " exists but is not an mlproof demo warehouse (no table "
                + META_TABLE
                + "); pass --force to replace it, or choose another --path");
      }
    }
    try (ResultSet r =
        s.executeQuery(
            "SELECT process_version, users, days, CAST(start_date AS VARCHAR), seed,"
                + " bad_row_rate, bad_events, bad_payments FROM "
                + META_TABLE)) {
      if (!r.next()) {
        throw new InvalidInputException(
            file
                + " has an empty "
                + META_TABLE
                + " table; pass --force to rebuild it, or choose another --path");
      }
      return new Stored(
          r.getInt(1),
          new DemoSpec(
              r.getInt(2),
              r.getInt(3),
              LocalDate.parse(r.getString(4)),
              r.getLong(5),
              r.getDouble(6)),
          r.getLong(7),
          r.getLong(8));
    }
  }

  private static DemoSummary summarize(
      Path file, DemoSpec spec, DemoSummary.Outcome outcome, Statement s) throws SQLException {
    Stored stored = readStored(file, s);
    try (ResultSet r =
        s.executeQuery(
            "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM events),"
                + " (SELECT count(*) FROM payments)")) {
      r.next();
      return new DemoSummary(
          file,
          spec,
          outcome,
          r.getLong(1),
          r.getLong(2),
          r.getLong(3),
          stored.badEvents(),
          stored.badPayments());
    }
  }

  private static Connection readOnly(Path file) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("duckdb.read_only", "true");
    return DriverManager.getConnection("jdbc:duckdb:" + file, properties);
  }

  private static String firstLine(String message) {
    return message == null ? "no details" : message.lines().findFirst().orElse("no details");
  }
}
