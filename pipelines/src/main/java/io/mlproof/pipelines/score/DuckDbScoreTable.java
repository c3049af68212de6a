package io.mlproof.pipelines.score;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.sql.SqlIdentifiers;
import io.mlproof.proto.v1.Score;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/** {@link ScoreTable} in an embedded DuckDB file: delete the day and append, in one transaction. */
public final class DuckDbScoreTable implements ScoreTable {
  private final String path;

  public DuckDbScoreTable(String path) {
    this.path = path;
  }

  /** Column names and DuckDB types of a scores table, in order. */
  static final List<String> COLUMNS =
      List.of("entity_id VARCHAR", "score DOUBLE", "rank BIGINT", "model_id VARCHAR", "score_day DATE");

  @Override
  public void check(String table) {
    SqlIdentifiers.checkName(table, "--scoresTable");
    List<String> columns = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + path, readOnly());
        PreparedStatement query = connection.prepareStatement("SELECT column_name, data_type FROM"
            + " information_schema.columns WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position")) {
      query.setString(1, table);
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          columns.add(rs.getString(1) + " " + rs.getString(2));
        }
      }
    } catch (SQLException e) {
      throw new InvalidInputException("cannot open DuckDB warehouse " + path + " (" + e.getMessage().lines().findFirst()
          .orElse("") + "): pass --warehouse=duckdb:<path to a .duckdb file>", e);
    }
    if (!columns.isEmpty() && !columns.equals(COLUMNS)) {
      throw new InvalidInputException("--scoresTable=" + table + " names an existing table with columns " + columns
          + ", not a scores table " + COLUMNS + ": choose another --scoresTable");
    }
  }

  private static Properties readOnly() {
    Properties properties = new Properties();
    properties.setProperty("duckdb.read_only", "true");
    return properties;
  }

  @Override
  public void replaceDay(String table, int scoreDay, List<Score> scores) {
    check(table);
    String quoted = '"' + table + '"'; // checked to be a plain name; quoted so a keyword works too
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + path)) {
      connection.setAutoCommit(false);
      try (Statement s = connection.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS " + quoted + " (entity_id VARCHAR NOT NULL, score DOUBLE NOT NULL,"
            + " rank BIGINT NOT NULL, model_id VARCHAR NOT NULL, score_day DATE NOT NULL)");
      }
      LocalDate day = LocalDate.ofEpochDay(scoreDay);
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + quoted + " WHERE score_day = ?")) {
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
