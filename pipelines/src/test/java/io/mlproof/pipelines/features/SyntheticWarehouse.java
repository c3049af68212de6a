package io.mlproof.pipelines.features;

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
 * A DuckDB warehouse from {@code features/synthetic_warehouse.sql}, and the reference feature query
 * over raw tables. Shared by the parity test and the features benchmark.
 */
public final class SyntheticWarehouse {

  private SyntheticWarehouse() {}

  /** Creates {@code users}, {@code events} and {@code payments} in a new DuckDB file. */
  public static void create(Path duckdbFile, int users, int days) throws SQLException {
    try (Connection c = connect(duckdbFile);
        Statement s = c.createStatement()) {
      for (String statement :
          sql(
                  "synthetic_warehouse.sql",
                  Map.of("users", Integer.toString(users), "days", Integer.toString(days)))
              .split(";\\s*\n")) {
        if (!statement.isBlank()) {
          s.execute(statement);
        }
      }
    }
  }

  /** Number of rows of a table. */
  public static long count(Path duckdbFile, String table) throws SQLException {
    try (Connection c = connect(duckdbFile);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
      r.next();
      return r.getLong(1);
    }
  }

  /**
   * The reference churn_v1 query for the given cutoff dates and label horizon (no_purchase label).
   */
  public static String referenceQuery(java.util.List<String> cutoffDates, int horizonDays) {
    String cutoffs = String.join(", ", cutoffDates.stream().map(d -> "DATE '" + d + "'").toList());
    return sql(
        "reference_features.sql",
        Map.of(
            "cutoffs",
            cutoffs,
            "horizon",
            Integer.toString(horizonDays),
            "label_event",
            "event_type = 'purchase'"));
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
      if (text.contains("{{")
          && !text.lines().allMatch(l -> !l.contains("{{") || l.startsWith("--"))) {
        throw new IllegalArgumentException(resource + " has unset parameters");
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
