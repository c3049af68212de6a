package io.mlproof.pipelines.demo;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.SplittableRandom;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * {@code mlproof demo simulate-experiment}: what the assigned users of an A/B experiment did in the
 * weeks after assignment, with a planted treatment effect, written to {@code ab_outcomes} in the
 * demo warehouse (docs/DATA.md, "The A/B experiment"). The process, per assigned user i:
 *
 * <pre>
 *   pre_sessions = session_start events in the 28 days before the assignment date
 *   p = 0.95                                   if demo_truth says the user had churned by then
 *   p = 0.08 + 0.6 exp(-pre_sessions / 3)      otherwise
 *   p = p (1 - saveRate)                       if the user is targeted (flagged, in a treatment arm)
 *   churned = U < p,  U uniform from SplittableRandom(seed * 31 + user id hash), one draw per user
 * </pre>
 *
 * Randomisation makes the flagged users of every arm alike, so the expected churn ratio of flagged
 * treated to flagged control users is exactly 1 - saveRate: the save rate analyze should recover.
 */
public final class ExperimentSimulator {
  public static final String OUTCOMES_TABLE = "ab_outcomes";
  public static final int PRE_PERIOD_DAYS = 28;

  private ExperimentSimulator() {}

  /** What was written. */
  public record Summary(long users, long churned, long targeted, long targetedChurned) {}

  public static Summary simulate(
      Path warehouse,
      String experimentId,
      LocalDate assignedOn,
      double saveRate,
      long seed,
      String assignmentsTable) {
    if (!Files.isRegularFile(warehouse)) {
      throw new InvalidInputException(
          "--path " + warehouse + " is not a DuckDB file: run `mlproof demo init` first");
    }
    if (!(saveRate >= 0 && saveRate <= 1)) {
      throw new InvalidInputException("--save-rate " + saveRate + " must be between 0 and 1");
    }
    if (!assignmentsTable.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new InvalidInputException(
          "--assignments-table " + assignmentsTable + " is not a plain table name");
    }
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + warehouse)) {
      connection.setAutoCommit(false);
      try (Statement s = connection.createStatement()) {
        s.execute(
            "CREATE TABLE IF NOT EXISTS "
                + OUTCOMES_TABLE
                + " (experiment_id VARCHAR NOT NULL,"
                + " entity_id VARCHAR NOT NULL, churned BOOLEAN NOT NULL, pre_sessions BIGINT NOT NULL)");
      }
      try (PreparedStatement delete =
          connection.prepareStatement(
              "DELETE FROM " + OUTCOMES_TABLE + " WHERE experiment_id = ?")) {
        delete.setString(1, experimentId);
        delete.executeUpdate();
      }
      long users = 0;
      long churned = 0;
      long targeted = 0;
      long targetedChurned = 0;
      String query =
          "WITH pre AS (SELECT user_id, count(*) AS sessions FROM events"
              + " WHERE event_type = 'session_start' AND event_at >= CAST(? AS TIMESTAMP) - INTERVAL "
              + PRE_PERIOD_DAYS
              + " DAY AND event_at < CAST(? AS TIMESTAMP) AND user_id IS NOT NULL GROUP BY user_id)"
              + " SELECT a.entity_id, a.targeted, coalesce(pre.sessions, 0) AS sessions,"
              + " coalesce(t.churned_at < CAST(? AS TIMESTAMP), false) AS gone"
              + " FROM "
              + assignmentsTable
              + " a"
              + " LEFT JOIN pre ON pre.user_id = TRY_CAST(a.entity_id AS BIGINT)"
              + " LEFT JOIN demo_truth t ON t.user_id = TRY_CAST(a.entity_id AS BIGINT)"
              + " WHERE a.experiment_id = ? ORDER BY a.entity_id";
      try (PreparedStatement select = connection.prepareStatement(query);
          DuckDBAppender appender =
              connection.unwrap(DuckDBConnection.class).createAppender("main", OUTCOMES_TABLE)) {
        String day = assignedOn.toString();
        select.setString(1, day);
        select.setString(2, day);
        select.setString(3, day);
        select.setString(4, experimentId);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            String id = rows.getString(1);
            boolean isTargeted = rows.getBoolean(2);
            long sessions = rows.getLong(3);
            double p = rows.getBoolean(4) ? 0.95 : 0.08 + 0.6 * Math.exp(-sessions / 3.0);
            if (isTargeted) {
              p *= 1 - saveRate;
            }
            boolean churn = new SplittableRandom(seed * 31 + id.hashCode()).nextDouble() < p;
            appender
                .beginRow()
                .append(experimentId)
                .append(id)
                .append(churn)
                .append(sessions)
                .endRow();
            users++;
            churned += churn ? 1 : 0;
            targeted += isTargeted ? 1 : 0;
            targetedChurned += isTargeted && churn ? 1 : 0;
          }
        }
      }
      if (users == 0) {
        connection.rollback();
        throw new InvalidInputException(
            "experiment "
                + experimentId
                + " has no rows in "
                + assignmentsTable
                + " of "
                + warehouse
                + ": run `mlproof run assign` for it first");
      }
      connection.commit();
      return new Summary(users, churned, targeted, targetedChurned);
    } catch (SQLException e) {
      String message = e.getMessage().lines().findFirst().orElse("");
      if (message.contains("does not exist")) {
        throw new InvalidInputException(
            "cannot simulate experiment "
                + experimentId
                + " in "
                + warehouse
                + ": "
                + message
                + " (build it with `mlproof demo init` and run `mlproof run assign` first)",
            e);
      }
      throw new RunFailedException(
          "cannot simulate the experiment in " + warehouse + ": " + message, e);
    }
  }
}
