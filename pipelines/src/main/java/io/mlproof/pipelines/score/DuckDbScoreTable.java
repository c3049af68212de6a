package io.mlproof.pipelines.score;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.proto.v1.Score;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/** {@link ScoreTable} in an embedded DuckDB file: delete the day and append, in one transaction. */
public final class DuckDbScoreTable implements ScoreTable {
  private final String path;

  public DuckDbScoreTable(String path) {
    this.path = path;
  }

  public static DuckDbScoreTable forWarehouse(String warehouse) {
    if (!warehouse.startsWith("duckdb:")) {
      throw new InvalidInputException(
          "--warehouse=" + warehouse + " is not a warehouse score can write to: use duckdb:<file> or"
              + " bigquery:<project>.<dataset>, or --scoresTable= (empty) to write files only");
    }
    return new DuckDbScoreTable(warehouse.substring("duckdb:".length()));
  }

  @Override
  public void replaceDay(String table, int scoreDay, List<Score> scores) {
    if (!table.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new InvalidInputException("--scoresTable=" + table + " is not a plain table name: use letters, digits and _");
    }
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + path)) {
      connection.setAutoCommit(false);
      try (Statement s = connection.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS " + table + " (entity_id VARCHAR NOT NULL, score DOUBLE NOT NULL,"
            + " rank BIGINT NOT NULL, model_id VARCHAR NOT NULL, score_day DATE NOT NULL)");
      }
      LocalDate day = LocalDate.ofEpochDay(scoreDay);
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE score_day = ?")) {
        delete.setObject(1, day);
        delete.executeUpdate();
      }
      try (DuckDBAppender appender = connection.unwrap(DuckDBConnection.class).createAppender("main", table)) {
        for (Score score : scores) {
          appender.beginRow()
              .append(score.getEntityId())
              .append(score.getScore())
              .append(score.getRank())
              .append(score.getModelId())
              .append(day)
              .endRow();
        }
      }
      connection.commit();
    } catch (SQLException e) {
      throw new RunFailedException("cannot write scores to table " + table + " in DuckDB " + path + ": "
          + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }
}
