package io.mlproof.pipelines.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.bless.BlessOptions;
import io.mlproof.pipelines.bless.BlessPipeline;
import io.mlproof.pipelines.bless.Blessings;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.model.SyntheticExamples;
import io.mlproof.pipelines.train.TrainPipeline;
import io.mlproof.proto.v1.Blessing;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlessAndScoreTest {
  private static final int ENTITIES = 1000;
  private static final int SCORE_DAY = 19920; // 2024-07-16
  private static final PrintStream QUIET =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  @TempDir static Path dir;
  static TrainPipeline.Result good;
  static TrainPipeline.Result recency;
  static String goodBlessed;
  static String scoringExamples;
  static String warehouse;

  @BeforeAll
  static void trainAndBless() throws SQLException {
    String features =
        SyntheticExamples.write(
            dir.resolve("features"), SyntheticExamples.World.MANY_FEATURES, ENTITIES, 5);
    good =
        TrainPipeline.run(
            SyntheticExamples.options(SyntheticExamples.trainArgs(features, dir.resolve("train"))),
            QUIET);
    String recencyFeatures =
        SyntheticExamples.write(
            dir.resolve("recency-features"), SyntheticExamples.World.RECENCY_RULE, ENTITIES, 6);
    recency =
        TrainPipeline.run(
            SyntheticExamples.options(
                SyntheticExamples.trainArgs(recencyFeatures, dir.resolve("recency-train"))),
            QUIET);
    goodBlessed = dir.resolve("bless").toString();
    BlessPipeline.run(bless(good.outputDir(), goodBlessed), QUIET);
    scoringExamples =
        SyntheticExamples.writeFeaturesOutput(
            dir.resolve("scoring-features"),
            SyntheticExamples.spec(),
            SyntheticExamples.scoring(ENTITIES, SCORE_DAY, 21),
            2);
    warehouse = "duckdb:" + dir.resolve("warehouse.duckdb");
    DriverManager.getConnection("jdbc:" + warehouse)
        .close(); // score writes only into a warehouse that exists
  }

  static BlessOptions bless(String model, String output, String... more) {
    return PipelineOptionsFactory.fromArgs(
            SyntheticExamples.merge(List.of("--model=" + model, "--output=" + output), more))
        .withValidation()
        .as(BlessOptions.class);
  }

  static ScoreOptions score(String model, String output, String... more) {
    return PipelineOptionsFactory.fromArgs(
            SyntheticExamples.merge(
                List.of(
                    "--model=" + model,
                    "--examples=" + scoringExamples,
                    "--output=" + output,
                    "--warehouse=" + warehouse,
                    "--scoresTable=churn_scores"),
                more))
        .withValidation()
        .as(ScoreOptions.class);
  }

  static byte[] readBytes(Path file) {
    try {
      return java.nio.file.Files.readAllBytes(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static List<String> sql(String query) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:" + warehouse);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
      return rows;
    }
  }

  @Test
  void aModelThatBeatsTheBaselinesIsBlessedAndCopiedWithItsBlessing() {
    Blessing blessing = Blessings.read(goodBlessed).orElseThrow();
    assertThat(blessing.getBlessed()).isTrue();
    assertThat(blessing.getModelId()).isEqualTo(good.metadata().getModelId());
    assertThat(blessing.getModelSha256()).isEqualTo(good.metadata().getModelSha256());
    assertThat(blessing.getMetadataSha256())
        .isEqualTo(
            io.mlproof.pipelines.core.Sha256.hex(
                readBytes(Path.of(good.outputDir(), "metadata.pb"))));
    assertThat(blessing.getSummary())
        .startsWith("Model " + good.metadata().getModelId() + " is blessed. The model beats");
    assertThat(TaskOutput.read(goodBlessed).getFilesList())
        .extracting(f -> f.getName())
        .containsExactly("blessing", "model", "metadata", "metadata_json");
  }

  @Test
  void aModelTheHeuristicBeatsIsNotBlessedStopsTheDagAndIsNeverScored() {
    String out = dir.resolve("recency-bless").toString();
    assertThatThrownBy(() -> BlessPipeline.run(bless(recency.outputDir(), out), QUIET))
        .isInstanceOf(RunFailedException.class)
        .hasMessageStartingWith(
            "model "
                + recency.metadata().getModelId()
                + " is not blessed: the lower bound of the 95% interval of the F1 lead over"
                + " heuristic:days_since_last_purchase")
        .hasMessageEndingWith("(downstream scoring stops here)");
    Blessing report = Blessings.read(out).orElseThrow();
    assertThat(report.getBlessed()).isFalse();
    assertThat(report.getVerdict().getSummary()).contains("keep the baseline");
    assertThat(TaskOutput.read(out).getFilesList())
        .extracting(f -> f.getName())
        .containsExactly("blessing");
    assertThatThrownBy(
            () ->
                ScorePipeline.run(
                    score(out, dir.resolve("never").toString(), "--allowUnblessed=true"), QUIET))
        .isInstanceOf(RunFailedException.class)
        .hasMessageStartingWith(
            "model "
                + recency.metadata().getModelId()
                + " was not blessed (the lower bound of the 95% interval");
  }

  @Test
  void scoresEveryEntityRankedIntoTheWarehouseAndReplacesTheDayOnRerun() throws Exception {
    ScorePipeline.Result first =
        ScorePipeline.run(score(goodBlessed, dir.resolve("score").toString()), QUIET);
    assertThat(first.scores()).hasSize(ENTITIES);
    assertThat(first.manifest().getCountersMap()).containsEntry("entities_scored", (long) ENTITIES);
    ScorePipeline.run(score(goodBlessed, dir.resolve("score-again").toString()), QUIET);
    assertThat(sql("SELECT count(*) FROM churn_scores"))
        .containsExactly(Integer.toString(ENTITIES));
    assertThat(sql("SELECT DISTINCT score_day FROM churn_scores")).containsExactly("2024-07-16");
    assertThat(sql("SELECT DISTINCT model_id FROM churn_scores"))
        .containsExactly(good.metadata().getModelId());
    // Ranks recomputed by DuckDB itself: 1 = highest score, ties by entity id.
    assertThat(
            sql(
                "SELECT count(*) FROM (SELECT rank, row_number() OVER (ORDER BY score DESC, entity_id) AS expected"
                    + " FROM churn_scores) WHERE rank <> expected"))
        .containsExactly("0");
    assertThat(sql("SELECT entity_id FROM churn_scores WHERE rank = 1"))
        .containsExactly(first.scores().get(0).getEntityId());
  }

  @Test
  void aTrainOutputWithoutBlessingIsRefusedUnlessAllowed() {
    assertThatThrownBy(
            () ->
                ScorePipeline.run(
                    score(good.outputDir(), dir.resolve("unblessed").toString()), QUIET))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "the model at "
                + good.outputDir()
                + " has no blessing: point --model at the output of"
                + " `mlproof run bless` for it, or pass --allowUnblessed to score with an unvetted model on purpose");
    ScorePipeline.Result allowed =
        ScorePipeline.run(
            score(
                good.outputDir(),
                dir.resolve("allowed").toString(),
                "--allowUnblessed=true",
                "--scoresTable="),
            QUIET);
    assertThat(allowed.scores()).hasSize(ENTITIES);
  }

  @Test
  void scoringExamplesOfAnotherSpecAreRejected() {
    FeatureSpec other = SyntheticExamples.spec().toBuilder().setVersion(2).build();
    String examples =
        SyntheticExamples.writeFeaturesOutput(dir.resolve("other-spec"), other, List.of(), 1);
    List<String> args =
        List.of(
            "--model=" + goodBlessed,
            "--examples=" + examples,
            "--output=" + dir.resolve("x"),
            "--scoresTable=");
    assertThatThrownBy(
            () ->
                ScorePipeline.run(
                    PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
                        .as(ScoreOptions.class),
                    QUIET))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("the examples at " + examples + " were built with feature spec ")
        .hasMessageEndingWith(
            "but model "
                + good.metadata().getModelId()
                + " ("
                + goodBlessed
                + ") expects churn_test v1 ("
                + good.metadata().getFeatureSpecHash()
                + "): build the features with the model's spec, or retrain on these features");
  }

  @Test
  void aModelFallingBehindThePreviouslyBlessedOneIsNotBlessed() {
    // A deliberately weak model (3 stumps) on the same examples: it still beats the recency
    // heuristic, but not the previously blessed model.
    String features = dir.resolve("features").toString();
    TrainPipeline.Result weak =
        TrainPipeline.run(
            SyntheticExamples.options(
                SyntheticExamples.trainArgs(
                    features,
                    dir.resolve("weak-train"),
                    "--numLeaves=2",
                    "--numIterations=3",
                    "--earlyStoppingRounds=0")),
            QUIET);
    Blessing alone =
        BlessPipeline.decide(
            io.mlproof.pipelines.model.ModelArtifact.load(weak.outputDir()),
            bless(weak.outputDir(), "unused"));
    String out = dir.resolve("weak-bless").toString();
    RunFailedException failure =
        org.junit.jupiter.api.Assertions.assertThrows(
            RunFailedException.class,
            () ->
                BlessPipeline.run(
                    bless(
                        weak.outputDir(),
                        out,
                        "--previousModel=" + goodBlessed,
                        "--tolerance=0.01"),
                    QUIET));
    Blessing blessing = Blessings.read(out).orElseThrow();
    // The previous model re-scored on the same test rows at its own threshold gives exactly
    // the F1 its own evaluation reported on those rows.
    assertThat(blessing.getComparedOnSameRows()).isTrue();
    assertThat(blessing.getPreviousModelF1())
        .isEqualTo(good.metadata().getEvaluation().getModel().getF1());
    assertThat(blessing.getPreviousModelId()).isEqualTo(good.metadata().getModelId());
    assertThat(alone.getBlessed()).as("the weak model alone clears the heuristic margin").isTrue();
    assertThat(blessing.getModelF1() + 0.01).isLessThan(blessing.getPreviousModelF1());
    assertThat(blessing.getReasonsList())
        .singleElement()
        .asString()
        .startsWith("it falls behind the previously blessed model " + good.metadata().getModelId());
    assertThat(failure.getMessage()).contains("falls behind the previously blessed model");
    // The good model against itself keeps up (equal F1, within any tolerance).
    Blessing again =
        BlessPipeline.run(
            bless(
                good.outputDir(),
                dir.resolve("again").toString(),
                "--previousModel=" + goodBlessed,
                "--tolerance=0"),
            QUIET);
    assertThat(again.getBlessed()).isTrue();
    assertThat(again.getSummary()).contains("It keeps up with the previously blessed model");
  }

  /**
   * Bless owns the margin and the rule: with a margin between the good model's lower bound and its
   * point estimate, the lower-bound rule refuses what the point-estimate rule accepts, without
   * retraining, and the blessing records which rule and margin decided.
   */
  @Test
  void theMarginAndRuleAreBlessesAndRecordedInTheBlessing() {
    io.mlproof.proto.v1.Verdict trained = good.metadata().getEvaluation().getVerdict();
    double margin = (trained.getLead() + trained.getLeadCi95Low()) / 2;
    assertThat(trained.getLeadCi95Low()).isLessThan(margin);
    io.mlproof.pipelines.model.ModelArtifact model =
        io.mlproof.pipelines.model.ModelArtifact.load(good.outputDir());
    Blessing strict =
        BlessPipeline.decide(model, bless(good.outputDir(), "unused", "--blessMargin=" + margin));
    assertThat(strict.getBlessed()).isFalse();
    assertThat(strict.getBlessRule()).isEqualTo(Verdict.BlessRule.LOWER_BOUND);
    assertThat(strict.getMargin()).isEqualTo(margin);
    assertThat(strict.getReasonsList())
        .singleElement()
        .asString()
        .startsWith("the lower bound of the 95% interval");
    Blessing lenient =
        BlessPipeline.decide(
            model,
            bless(
                good.outputDir(),
                "unused",
                "--blessMargin=" + margin,
                "--blessRule=POINT_ESTIMATE"));
    assertThat(lenient.getBlessed()).isTrue();
    assertThat(lenient.getBlessRule()).isEqualTo(Verdict.BlessRule.POINT_ESTIMATE);
    assertThat(lenient.getVerdict().getRequiredMargin()).isEqualTo(margin);
    assertThatThrownBy(
            () ->
                BlessPipeline.decide(model, bless(good.outputDir(), "unused", "--blessMargin=1.5")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--blessMargin must be in [0, 1) (absolute F1), got 1.5");
  }
}
