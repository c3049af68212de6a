package io.mlproof.pipelines.score;

import io.mlproof.proto.v1.Score;
import java.util.List;

/**
 * Where the marketing team finds the list: a warehouse table of (entity_id, score, rank, model_id,
 * score_day). Writing a day replaces that day's rows, so a re-run does not duplicate them.
 *
 * <p>{@link DuckDbScoreTable} writes DuckDB with JDBC's appender; {@link BigQueryScoreTable} loads
 * the day's partition with BigQueryIO. The swap point if the shared warehouse API takes writes.
 */
public interface ScoreTable {

  /**
   * Checks, before any work, that {@code table} can take scores: a plain name, and an existing
   * table of that name has the scores columns. Exit-2 errors.
   */
  void check(String table);

  /** Replaces the rows of {@code scoreDay} in {@code table} with {@code scores}. */
  void replaceDay(String table, int scoreDay, List<Score> scores);
}
