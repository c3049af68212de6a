package io.mlproof.pipelines.ab;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.proto.v1.Assignment;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The assignment and target-list tables in an embedded DuckDB warehouse: the experiment's rows
 * replaced in one transaction, so a re-run never leaves two assignments. (BigQuery tables are not
 * written yet: assign refuses a BigQuery warehouse unless both tables are empty.)
 */
final class AbTables {
  private final String path;

  private AbTables(String path) {
    this.path = path;
  }

  static AbTables forWarehouse(String warehouse) {
    if (!warehouse.startsWith("duckdb:")) {
      throw new InvalidInputException("--warehouse=" + warehouse + ": assign writes its tables to DuckDB warehouses"
          + " only so far; pass --assignmentsTable= --targetsTable= (empty) to write files only");
    }
    return new AbTables(warehouse.substring("duckdb:".length()));
  }

  static void checkName(String option, String table) {
    if (!table.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new InvalidInputException(option + "=" + table + " is not a plain table name: use letters, digits and _");
    }
  }

  /** Replaces the experiment's rows of both tables (either may be empty = skipped). */
  void replace(String experimentId, String assignmentsTable, String targetsTable, List<Assignment> assignments) {
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + path)) {
      connection.setAutoCommit(false);
      if (!assignmentsTable.isEmpty()) {
        prepare(connection, assignmentsTable, experimentId, "experiment_id VARCHAR NOT NULL, entity_id VARCHAR NOT NULL,"
            + " arm VARCHAR NOT NULL, bucket INTEGER NOT NULL, flagged BOOLEAN NOT NULL, targeted BOOLEAN NOT NULL,"
            + " score DOUBLE, rank BIGINT");
        try (DuckDBAppender appender = connection.unwrap(DuckDBConnection.class).createAppender("main", assignmentsTable)) {
          for (Assignment a : assignments) {
            appender.beginRow().append(a.getExperimentId()).append(a.getEntityId()).append(a.getArm())
                .append(a.getBucket()).append(a.getFlagged()).append(a.getTargeted());
            if (Double.isNaN(a.getScore())) {
              appender.appendNull();
              appender.appendNull();
            } else {
              appender.append(a.getScore()).append(a.getRank());
            }
            appender.endRow();
          }
        }
      }
      if (!targetsTable.isEmpty()) {
        prepare(connection, targetsTable, experimentId, "experiment_id VARCHAR NOT NULL, entity_id VARCHAR NOT NULL,"
            + " arm VARCHAR NOT NULL, score DOUBLE NOT NULL, rank BIGINT NOT NULL");
        try (DuckDBAppender appender = connection.unwrap(DuckDBConnection.class).createAppender("main", targetsTable)) {
          for (Assignment a : assignments) {
            if (a.getTargeted()) {
              appender.beginRow().append(a.getExperimentId()).append(a.getEntityId()).append(a.getArm())
                  .append(a.getScore()).append(a.getRank()).endRow();
            }
          }
        }
      }
      connection.commit();
    } catch (SQLException e) {
      throw new RunFailedException("cannot write the assignment tables in DuckDB " + path + ": "
          + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  private static void prepare(Connection connection, String table, String experimentId, String columns)
      throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS " + table + " (" + columns + ")");
    }
    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE experiment_id = ?")) {
      delete.setString(1, experimentId);
      delete.executeUpdate();
    }
  }
}
