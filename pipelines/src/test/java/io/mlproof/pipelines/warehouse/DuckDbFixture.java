package io.mlproof.pipelines.warehouse;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Small DuckDB warehouses built in tests with exact, hand-written rows, so every expected value can
 * be worked out by hand. Tables follow docs/DATA.md. The connection is closed before a test reads
 * the file (DuckDB refuses a read-only and a read-write open of one file in one process).
 */
public final class DuckDbFixture {

  public static final String SCHEMA =
      "CREATE TABLE users (user_id BIGINT, signup_at TIMESTAMP, country VARCHAR, acquisition_channel VARCHAR);"
          + "CREATE TABLE events (event_id BIGINT, user_id BIGINT, event_type VARCHAR, event_at TIMESTAMP,"
          + " amount DECIMAL(12,2));"
          + "CREATE TABLE payments (payment_id BIGINT, user_id BIGINT, paid_at TIMESTAMP, amount DECIMAL(12,2),"
          + " status VARCHAR);";

  private DuckDbFixture() {}

  /** Creates {@code file} with the warehouse schema, then runs {@code statements} (inserts). */
  public static Path create(Path file, String... statements) {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement s = c.createStatement()) {
      s.execute(SCHEMA);
      for (String statement : statements) {
        s.execute(statement);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("fixture " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  /** {@code duckdb:<file>} for {@code --warehouse}. */
  public static String spec(Path file) {
    return "duckdb:" + file;
  }
}
