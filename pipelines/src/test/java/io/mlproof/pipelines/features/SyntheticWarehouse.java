package io.mlproof.pipelines.features;

import io.mlproof.pipelines.core.ProtoRecords;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.EntityDay;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * A DuckDB warehouse from {@code features/synthetic_warehouse.sql}, its daily rollup as an
 * extract-like output directory of EntityDay TFRecords, and the reference feature query. Shared by
 * the parity test and the features benchmark.
 */
public final class SyntheticWarehouse {

  private SyntheticWarehouse() {}

  /** Creates {@code users}, {@code events} and {@code payments} in a new DuckDB file. */
  public static void create(Path duckdbFile, int users, int days) throws SQLException {
    try (Connection c = connect(duckdbFile); Statement s = c.createStatement()) {
      for (String statement : sql("synthetic_warehouse.sql",
          Map.of("users", Integer.toString(users), "days", Integer.toString(days))).split(";\\s*\n")) {
        if (!statement.isBlank()) {
          s.execute(statement);
        }
      }
    }
  }

  /** Number of rows of a table. */
  public static long count(Path duckdbFile, String table) throws SQLException {
    try (Connection c = connect(duckdbFile); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
      r.next();
      return r.getLong(1);
    }
  }

  /**
   * Writes the rollup as a committed extract-like output: {@code records-00000-of-00001.tfrecord}
   * and a manifest. Returns the number of rows.
   */
  public static long writeEntityDays(Path duckdbFile, Path outputDir) throws SQLException, IOException {
    return writeEntityDays(duckdbFile, outputDir, true);
  }

  /** Same; {@code byUser} orders the rows by user and day (as the extract's rollup should). */
  public static long writeEntityDays(Path duckdbFile, Path outputDir, boolean byUser) throws SQLException, IOException {
    TaskOutput output = TaskOutput.begin(outputDir.toString());
    long rows = 0;
    Path file = Path.of(output.staging("records") + "-00000-of-00001" + ProtoRecords.SUFFIX);
    java.nio.file.Files.createDirectories(file.getParent());
    try (Connection c = connect(duckdbFile); Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql("entity_days.sql",
            Map.of("order_by", byUser ? "ORDER BY user_id, day" : "")));
        TfRecordFiles.Writer writer = new TfRecordFiles.Writer(file)) {
      EntityDay.Builder b = EntityDay.newBuilder();
      while (r.next()) {
        b.clear().setEntityId(Long.toString(r.getLong(1))).setDay(r.getInt(2)).setSessions(r.getLong(3))
            .setPageViews(r.getLong(4)).setAddToCarts(r.getLong(5)).setPurchases(r.getLong(6))
            .setRevenueCents(r.getLong(7)).setFailedPayments(r.getLong(8)).setRefunds(r.getLong(9))
            .setSignupDay(r.getLong(10));
        writer.write(b.build().toByteArray());
        rows++;
      }
    }
    String type = EntityDay.getDescriptor().getFullName();
    output.commit(Manifest.newBuilder().setPipeline("extract").setRecordType(type)
        .addFiles(OutputFile.newBuilder().setName("records").setPath(ProtoRecords.shardGlob("records"))
            .setRecords(rows).setRecordType(type))
        .build());
    return rows;
  }

  /** The reference churn_v1 query for the given cutoff dates and label horizon (no_purchase label). */
  public static String referenceQuery(java.util.List<String> cutoffDates, int horizonDays) {
    String cutoffs = String.join(", ", cutoffDates.stream().map(d -> "DATE '" + d + "'").toList());
    return sql("reference_features.sql", Map.of("cutoffs", cutoffs, "horizon", Integer.toString(horizonDays),
        "label_event", "event_type = 'purchase'"));
  }

  public static Connection connect(Path duckdbFile) throws SQLException {
    return DriverManager.getConnection("jdbc:duckdb:" + duckdbFile);
  }

  static String sql(String resource, Map<String, String> params) {
    try (InputStream in = SyntheticWarehouse.class.getResourceAsStream("/features/" + resource)) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      for (Map.Entry<String, String> p : params.entrySet()) {
        text = text.replace("{{" + p.getKey() + "}}", p.getValue());
      }
      if (text.contains("{{") && !text.lines().allMatch(l -> !l.contains("{{") || l.startsWith("--"))) {
        throw new IllegalArgumentException(resource + " has unset parameters");
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
