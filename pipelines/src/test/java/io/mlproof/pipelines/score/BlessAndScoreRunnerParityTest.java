package io.mlproof.pipelines.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.bless.BlessOptions;
import io.mlproof.pipelines.bless.BlessPipeline;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.evaluate.Ranking;
import io.mlproof.pipelines.model.ExampleBuffer;
import io.mlproof.pipelines.model.ExampleMatrix;
import io.mlproof.pipelines.model.ExampleReader;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.pipelines.model.SyntheticExamples;
import io.mlproof.pipelines.train.TrainPipeline;
import io.mlproof.proto.v1.Blessing;
import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.Example;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.Score;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bless and score are Beam pipelines (issue 11). Bless on both runners reaches the same blessing.
 * The same scoring on the Direct runner and on the Flink runner (embedded local cluster,
 * parallelism 2) writes byte-identical files, and both are byte-identical to what the former
 * single-process scorer wrote (read every example, one batch prediction on the whole matrix, rank),
 * recomputed here from the examples with that algorithm.
 */
class BlessAndScoreRunnerParityTest {
  private static final int ENTITIES = 1500;
  private static final int SCORE_DAY = 19920; // 2024-07-16
  private static final PrintStream QUIET =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  @TempDir static Path dir;
  static String model;
  static String examples;
  static List<Example> twoDays;

  @BeforeAll
  static void train() {
    String features =
        SyntheticExamples.write(
            dir.resolve("features"), SyntheticExamples.World.MANY_FEATURES, ENTITIES, 5);
    model =
        TrainPipeline.run(
                SyntheticExamples.options(
                    SyntheticExamples.trainArgs(features, dir.resolve("train"))),
                QUIET)
            .outputDir();
    // Two days in the examples: the newest is scored, the other is counted as skipped.
    twoDays = new ArrayList<>(SyntheticExamples.scoring(ENTITIES, SCORE_DAY, 21));
    twoDays.addAll(SyntheticExamples.scoring(300, SCORE_DAY - 7, 22));
    examples =
        SyntheticExamples.writeFeaturesOutput(
            dir.resolve("scoring-features"), SyntheticExamples.spec(), twoDays, 3);
  }

  private static ScorePipeline.Result score(String output, String... more) {
    return scoreExamples(examples, output, more);
  }

  private static ScorePipeline.Result scoreExamples(
      String examples, String output, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model=" + model,
                "--examples=" + examples,
                "--output=" + output,
                "--allowUnblessed=true",
                "--scoresTable="));
    args.addAll(List.of(more));
    return ScorePipeline.run(ScorePipeline.parse(args.toArray(String[]::new)), QUIET);
  }

  /**
   * The former scorer: every example in the driver, the day's rows in (day, id) order, one
   * prediction.
   */
  private static List<Score> formerScorer(int day) {
    ModelArtifact artifact = ModelArtifact.load(model);
    ExampleBuffer all = ExampleReader.readExamples(examples, artifact.metadata().getFeatureSpec());
    int[] rows = IntStream.of(all.canonicalOrder()).filter(r -> all.cutoff(r) == day).toArray();
    ExampleMatrix matrix = all.select(rows);
    double[] scores = artifact.predict(matrix, 2);
    int[] order = Ranking.descending(scores);
    List<Score> ranked = new ArrayList<>();
    for (int i = 0; i < order.length; i++) {
      ranked.add(
          Score.newBuilder()
              .setEntityId(matrix.entityIds()[order[i]])
              .setScore(scores[order[i]])
              .setRank(i + 1)
              .setModelId(artifact.id())
              .setScoreDay(day)
              .build());
    }
    return ranked;
  }

  private static byte[] tfRecordBytes(List<Score> scores, Path file) throws Exception {
    try (TfRecordFiles.Writer writer = new TfRecordFiles.Writer(file.toString())) {
      for (Score s : scores) {
        writer.write(s.toByteArray());
      }
    }
    return Files.readAllBytes(file);
  }

  @Test
  void directAndFlinkWriteTheFormerScorersBytes() throws Exception {
    ScorePipeline.Result direct = score(dir.resolve("direct").toString());
    ScorePipeline.Result flink =
        score(dir.resolve("flink").toString(), "--runner=FlinkRunner", "--parallelism=2");

    Manifest d = direct.manifest();
    Manifest f = flink.manifest();
    assertThat(d.getRunner()).isEqualTo("DirectRunner");
    assertThat(f.getRunner()).isEqualTo("FlinkRunner");
    assertThat(d.getPipeline()).isEqualTo("score");
    assertThat(d.getCountersMap())
        .containsEntry("entities_scored", (long) ENTITIES)
        .containsEntry("examples_other_days_skipped", 300L)
        .containsEntry("examples_read", ENTITIES + 300L);
    assertThat(f.getCountersMap()).isEqualTo(d.getCountersMap());
    assertThat(d.getAttributesMap()).containsEntry("score_day", "2024-07-16");

    List<Score> expected = formerScorer(SCORE_DAY);
    assertThat(expected).hasSize(ENTITIES);
    assertThat(direct.scores()).isEqualTo(expected);
    byte[] expectedRecords = tfRecordBytes(expected, dir.resolve("expected.tfrecord"));
    for (String run : List.of("direct", "flink")) {
      assertThat(Files.readAllBytes(dir.resolve(run).resolve(ScorePipeline.SCORES_FILE)))
          .as(run)
          .isEqualTo(expectedRecords);
      assertThat(Files.readString(dir.resolve(run).resolve(ScorePipeline.SCORES_CSV)))
          .as(run)
          .isEqualTo(ScorePipeline.csv(expected));
    }
  }

  @Test
  void directAndFlinkReachTheSameBlessing() {
    List<Blessing> blessings = new ArrayList<>();
    for (String runner : List.of("DirectRunner", "FlinkRunner")) {
      String output = dir.resolve("bless-" + runner).toString();
      Blessing blessing =
          BlessPipeline.run(
              PipelineOptionsFactory.fromArgs(
                      "--model=" + model, "--output=" + output, "--runner=" + runner)
                  .withValidation()
                  .as(BlessOptions.class),
              QUIET);
      Manifest manifest = TaskOutput.read(output);
      assertThat(manifest.getRunner()).isEqualTo(runner);
      assertThat(manifest.getPipeline()).isEqualTo("bless");
      assertThat(manifest.getFilesList())
          .extracting(f -> f.getName())
          .containsExactly("blessing", "model", "metadata", "metadata_json");
      blessings.add(blessing.toBuilder().clearCreatedAtMicros().build());
    }
    assertThat(blessings.get(0).getBlessed()).isTrue();
    assertThat(blessings.get(1)).isEqualTo(blessings.get(0));
  }

  @Test
  void anOlderLogicalDateScoresThatDayAndAMissingOneIsRefused() {
    ScorePipeline.Result older = score(dir.resolve("older").toString(), "--logicalDate=2024-07-09");
    assertThat(older.scores()).isEqualTo(formerScorer(SCORE_DAY - 7));
    assertThat(older.manifest().getLogicalDate()).isEqualTo("2024-07-09");

    Path missing = dir.resolve("missing");
    assertThatThrownBy(() -> score(missing.toString(), "--logicalDate=2024-07-10"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "the features output "
                + examples
                + " has no examples at 2024-07-10 (it has [2024-07-09,"
                + " 2024-07-16]): run the features task for the scoring date");
    assertThat(missing.resolve("manifest.json")).doesNotExist();
  }

  @Test
  void theDaysComeFromTheFeaturesStatisticsAndADateTheyLackIsRefusedBeforeAnyWork() {
    // The same two days of records, but statistics that list only the older day: scoring without
    // a date then scores that day, so the day was taken from the statistics, not from a pass over
    // the records. (A features run computes its statistics over the very records it writes.)
    String withStatistics =
        SyntheticExamples.writeFeaturesOutput(
            dir.resolve("with-statistics"),
            SyntheticExamples.spec(),
            twoDays,
            3,
            DatasetStatistics.newBuilder().addCutoffDays(SCORE_DAY - 7).build());
    ScorePipeline.Result newest =
        scoreExamples(withStatistics, dir.resolve("from-statistics").toString());
    assertThat(newest.scores()).isEqualTo(formerScorer(SCORE_DAY - 7));
    assertThat(newest.manifest().getAttributesMap()).containsEntry("score_day", "2024-07-09");

    Path refused = dir.resolve("refused");
    assertThatThrownBy(
            () -> scoreExamples(withStatistics, refused.toString(), "--logicalDate=2024-07-16"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "the features output "
                + withStatistics
                + " has no examples at 2024-07-16 (it has [2024-07-09]): run the features task"
                + " for the scoring date");
    assertThat(refused).doesNotExist(); // refused in prepare: not even staged
  }
}
