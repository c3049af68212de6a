package io.mlproof.pipelines.demo;

import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.score.ScorePipeline;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import io.mlproof.proto.v1.Score;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Demo warehouses for other stages' tests (shared through the pipelines test-jar): each spec is
 * generated once per JVM and every caller gets its own copy, so tests cannot disturb each other.
 *
 * <pre>{@code Path warehouse = DemoFixtures.smallWarehouse(tempDir, 7);  // DemoSpec.small(7)}
 * </pre>
 */
public final class DemoFixtures {

  private static final Map<DemoSpec, Path> BUILT = new ConcurrentHashMap<>();

  private DemoFixtures() {}

  /** A fresh copy of the {@link DemoSpec#small} warehouse at {@code dir/warehouse.duckdb}. */
  public static Path smallWarehouse(Path dir, long seed) {
    return warehouse(dir, DemoSpec.small(seed));
  }

  /** A fresh copy of the warehouse for {@code spec} at {@code dir/warehouse.duckdb}. */
  public static Path warehouse(Path dir, DemoSpec spec) {
    Path copy = dir.resolve("warehouse.duckdb");
    try {
      Files.copy(
          BUILT.computeIfAbsent(spec, DemoFixtures::build),
          copy,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return copy;
  }

  private static Path build(DemoSpec spec) {
    try {
      Path dir = Files.createTempDirectory("mlproof-demo-fixture");
      Path file = dir.resolve("warehouse.duckdb");
      // Deleted in reverse order of registration: the file, then its directory.
      dir.toFile().deleteOnExit();
      file.toFile().deleteOnExit();
      DemoWarehouse.create(file, spec);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Scores for the demo: fewer sessions in the 28 days before the date = higher risk (a stand-in
   * model).
   */
  public static Path standInScores(Path warehouse, Path dir, LocalDate day) {
    List<Score> list = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement s = c.createStatement();
        ResultSet rows =
            s.executeQuery(
                "SELECT u.user_id, 1.0 / (1 + count(e.event_id)) AS score FROM users u"
                    + " LEFT JOIN events e ON e.user_id = u.user_id AND e.event_type = 'session_start'"
                    + " AND e.event_at >= TIMESTAMP '"
                    + day
                    + "' - INTERVAL 28 DAY AND e.event_at < TIMESTAMP '"
                    + day
                    + "'"
                    + " WHERE u.signup_at < TIMESTAMP '"
                    + day
                    + "' GROUP BY u.user_id ORDER BY score DESC, u.user_id")) {
      long rank = 0;
      while (rows.next()) {
        list.add(
            Score.newBuilder()
                .setEntityId(Long.toString(rows.getLong(1)))
                .setScore(rows.getDouble(2))
                .setRank(++rank)
                .setModelId("stand-in")
                .build());
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return writeScores(dir, list);
  }

  /** A score task's output (real TFRecords and a committed manifest) holding {@code list}. */
  public static Path writeScores(Path dir, List<Score> list) {
    FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
    TaskOutput output = TaskOutput.begin(dir.toString());
    String file = ScorePipeline.SCORES + "-00000-of-00001.tfrecord";
    try (TfRecordFiles.Writer writer = new TfRecordFiles.Writer(output.staging(file))) {
      for (Score s : list) {
        writer.write(s.toByteArray());
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    output.commit(
        Manifest.newBuilder()
            .setPipeline("score")
            .addFiles(
                OutputFile.newBuilder()
                    .setName(ScorePipeline.SCORES)
                    .setPath(file)
                    .setRecords(list.size()))
            .build());
    return dir;
  }
}
