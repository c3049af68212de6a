package io.mlproof.pipelines.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.util.JsonFormat;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.pipelines.model.SyntheticExamples;
import io.mlproof.proto.v1.ClassificationMetrics;
import io.mlproof.proto.v1.EvaluationResult;
import io.mlproof.proto.v1.Manifest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainPipelineTest {
  private static final int ENTITIES = 2000;
  @TempDir static Path shared;
  static String manyFeatures;
  static TrainPipeline.Result trained;
  static String printed;

  @BeforeAll
  static void trainOnce() {
    manyFeatures =
        SyntheticExamples.write(
            shared.resolve("features"), SyntheticExamples.World.MANY_FEATURES, ENTITIES, 7);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    trained =
        TrainPipeline.run(
            SyntheticExamples.options(
                SyntheticExamples.trainArgs(manyFeatures, shared.resolve("train"))),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    printed = out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void splitsByTimeWithNewestCutoffForTestAndTheOneBeforeForValidation() {
    Manifest manifest = trained.manifest();
    // 4 cutoffs x 2000 entities; the newest cutoff tests, the one before validates, the 2 older
    // ones train. The horizon (30 days) equals the cutoff spacing, so no row overlaps the next
    // split.
    assertThat(manifest.getCountersMap())
        .containsEntry("examples_read", 8000L)
        .containsEntry("train_rows", 4000L)
        .containsEntry("validation_rows", 2000L)
        .containsEntry("test_rows", 2000L)
        .containsEntry("rows_purged_label_overlap", 0L)
        .containsEntry("examples_unlabelled_skipped", 0L);
    assertThat(trained.metadata().getTestCutoffDay()).isEqualTo(19890);
    assertThat(trained.metadata().getValidationCutoffDay()).isEqualTo(19860);
    assertThat(trained.metadata().getTrainStartDay()).isEqualTo(19800);
    assertThat(trained.metadata().getTrainEndDay())
        .as("refit on train + validation")
        .isEqualTo(19860);
    assertThat(trained.metadata().getEvaluation().getExamples()).isEqualTo(2000);
  }

  @Test
  void modelBeatsTheTunedHeuristicWhenOtherFeaturesMatterAndSaysSo() {
    EvaluationResult e = trained.metadata().getEvaluation();
    assertThat(e.getBaselinesList())
        .extracting(ClassificationMetrics::getName)
        .hasSize(3)
        .startsWith("status_quo", "random")
        .last()
        .asString()
        .startsWith("heuristic:days_since_last_purchase");
    assertThat(e.getVerdict().getBlessed()).isTrue();
    assertThat(e.getVerdict().getBestBaseline()).startsWith("heuristic:");
    assertThat(e.getModel().getF1()).isGreaterThan(e.getVerdict().getBestBaselineF1() + 0.02);
    assertThat(e.getVerdict().getSummary()).contains("it does, ML pays here");
    assertThat(e.getVerdict().getLeadCi95Low()).isGreaterThan(0.02);
    assertThat(printed)
        .contains("verdict: The model beats the best baseline, heuristic:days_since_last_purchase");
  }

  @Test
  void statusQuoAndRandomBaselinesHaveTheirDefiningValues() {
    EvaluationResult e = trained.metadata().getEvaluation();
    ClassificationMetrics statusQuo = e.getBaselines(0);
    long positives = e.getPositives();
    assertThat(statusQuo.getConfusion().getTruePositives()).isZero();
    assertThat(statusQuo.getConfusion().getFalseNegatives()).isEqualTo(positives);
    assertThat(statusQuo.getF1()).isZero();
    assertThat(statusQuo.getRocAuc()).isEqualTo(0.5);
    ClassificationMetrics random = e.getBaselines(1);
    double f = e.getModel().getOperatingPoint().getTargetedFraction();
    double p = positives / 2000.0;
    assertThat(random.getOperatingPoint().getTargetedFraction()).isEqualTo(f);
    assertThat(random.getF1()).isCloseTo(2 * p * f / (p + f), within(1e-12));
  }

  @Test
  void savedPredictionsReproduceTheReportedMetrics() throws Exception {
    List<String> lines =
        Files.readAllLines(Path.of(trained.outputDir(), TrainPipeline.PREDICTIONS_CSV));
    assertThat(lines.get(0)).isEqualTo("entity_id,cutoff_day,label,score");
    assertThat(lines).hasSize(2001);
    double[] scores = new double[2000];
    boolean[] labels = new boolean[2000];
    for (int i = 0; i < 2000; i++) {
      String[] f = lines.get(i + 1).split(",");
      labels[i] = f[2].equals("1");
      scores[i] = Double.parseDouble(f[3]);
    }
    // Brute force over all pairs, independent of Metrics.
    double wins = 0;
    long pairs = 0;
    for (int i = 0; i < 2000; i++) {
      for (int j = 0; j < 2000; j++) {
        if (labels[i] && !labels[j]) {
          pairs++;
          wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
        }
      }
    }
    EvaluationResult reported = EvaluationResult.newBuilder().build();
    EvaluationResult.Builder parsed = EvaluationResult.newBuilder();
    JsonFormat.parser()
        .merge(
            Files.readString(Path.of(trained.outputDir(), TrainPipeline.EVALUATION_JSON)), parsed);
    reported = parsed.build();
    assertThat(reported.getModel().getRocAuc()).isCloseTo(wins / pairs, within(1e-12));
    // Confusion at the reported threshold, counted here.
    double threshold = reported.getModel().getOperatingPoint().getThreshold();
    long tp = 0;
    long fp = 0;
    for (int i = 0; i < 2000; i++) {
      if (scores[i] >= threshold) {
        if (labels[i]) {
          tp++;
        } else {
          fp++;
        }
      }
    }
    assertThat(reported.getModel().getConfusion().getTruePositives()).isEqualTo(tp);
    assertThat(reported.getModel().getConfusion().getFalsePositives()).isEqualTo(fp);
  }

  @Test
  void artifactFilesAreListedAndTheModelReloads() {
    Manifest manifest = TaskOutput.read(trained.outputDir());
    assertThat(manifest.getFilesList())
        .extracting(f -> f.getName())
        .contains("model", "metadata", "metadata_json", "evaluation", "predictions", "test");
    ModelArtifact loaded = ModelArtifact.load(trained.outputDir());
    assertThat(loaded.id()).isEqualTo(trained.metadata().getModelId());
    assertThat(loaded.id())
        .isEqualTo("churn_test-" + trained.metadata().getModelSha256().substring(0, 12));
    assertThat(manifest.getAttributesMap())
        .containsKeys("timing_ms.read_examples", "timing_ms.boosting");
  }

  @Test
  void heuristicWinsOnARecencyRuleAndTheModelIsNotBlessable(@TempDir Path dir) {
    String examples =
        SyntheticExamples.write(
            dir.resolve("features"), SyntheticExamples.World.RECENCY_RULE, 1000, 11);
    TrainPipeline.Result result =
        TrainPipeline.run(
            SyntheticExamples.options(SyntheticExamples.trainArgs(examples, dir.resolve("train"))),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    EvaluationResult e = result.metadata().getEvaluation();
    assertThat(e.getVerdict().getBlessed()).isFalse();
    assertThat(e.getVerdict().getBestBaseline()).startsWith("heuristic:days_since_last_purchase>");
    assertThat(e.getVerdict().getBestBaseline()).endsWith("|missing");
    assertThat(e.getVerdict().getSummary()).contains("keep the baseline");
    assertThat(e.getVerdict().getReasonsList())
        .singleElement()
        .asString()
        .startsWith("the lower bound of the 95% interval of the F1 lead over heuristic:");
  }

  @Test
  void rejectsAmbiguousSourcesAndReservedParameters(@TempDir Path dir) {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> TrainPipeline.run(SyntheticExamples.options("--output=" + dir), quiet))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "give exactly one of --examples (a features output) or --examplesQuery (a labelled table)");
    assertThatThrownBy(
            () ->
                TrainPipeline.run(
                    SyntheticExamples.options(
                        SyntheticExamples.trainArgs(
                            manyFeatures, dir, "--params={\"lightgbm\": {\"seed\": 3}}")),
                    quiet))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("LightGBM parameter 'seed' in params.lightgbm is set by mlproof: use --seed");
    assertThatThrownBy(
            () ->
                TrainPipeline.run(
                    SyntheticExamples.options(
                        SyntheticExamples.trainArgs(
                            manyFeatures, dir, "--heuristicFeatures=country")),
                    quiet))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "--heuristicFeatures names 'country', which is not a numeric feature");
  }

  @Test
  void unknownAndMissingOptionsAreOneLineUserErrors() {
    assertThatThrownBy(
            () -> new TrainPipeline().run(new String[] {"--output=/tmp/x", "--numLeavs=3"}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("numLeavs")
        .hasMessageEndingWith("(see: mlproof run train --help)");
    assertThatThrownBy(() -> new TrainPipeline().run(new String[] {"--examples=/tmp/x"}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--output")
        .hasMessageEndingWith("(see: mlproof run train --help)");
  }

  @Test
  void dagParamsReachLightGbm() {
    assertThat(
            TrainPipeline.lightgbmParams(
                "{\"lightgbm\": {\"max_depth\": 6, \"lambda_l2\": 0.5, \"extra_trees\": true}}"))
        .containsExactly(
            java.util.Map.entry("extra_trees", "true"),
            java.util.Map.entry("lambda_l2", "0.5"),
            java.util.Map.entry("max_depth", "6"));
  }

  /**
   * The test rows (the newest cutoff) are never read before evaluation: poisoning their features
   * and flipping their labels leaves the model bytes, round count, threshold and heuristic as they
   * were; only what is measured on them changes.
   */
  @Test
  void poisoningTheTestCutoffChangesNothingButItsMeasurement(@TempDir Path dir) {
    List<io.mlproof.proto.v1.Example> clean =
        SyntheticExamples.generate(SyntheticExamples.World.MANY_FEATURES, 600, 3);
    int testDay = SyntheticExamples.CUTOFFS[SyntheticExamples.CUTOFFS.length - 1];
    List<io.mlproof.proto.v1.Example> poisoned =
        clean.stream()
            .map(
                e ->
                    e.getCutoffDay() != testDay
                        ? e
                        : e.toBuilder()
                            .setLabel(!e.getLabel())
                            .clearFeatures()
                            .addFeatures(-999)
                            .addFeatures(1e6)
                            .addFeatures(Double.NaN)
                            .addFeatures(4)
                            .addFeatures(42)
                            .build())
            .toList();
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    TrainPipeline.Result a =
        TrainPipeline.run(
            SyntheticExamples.options(
                SyntheticExamples.trainArgs(
                    SyntheticExamples.writeFeaturesOutput(
                        dir.resolve("clean"), SyntheticExamples.spec(), clean, 2),
                    dir.resolve("a"))),
            quiet);
    TrainPipeline.Result b =
        TrainPipeline.run(
            SyntheticExamples.options(
                SyntheticExamples.trainArgs(
                    SyntheticExamples.writeFeaturesOutput(
                        dir.resolve("poisoned"), SyntheticExamples.spec(), poisoned, 2),
                    dir.resolve("b"))),
            quiet);
    assertThat(b.metadata().getModelSha256()).isEqualTo(a.metadata().getModelSha256());
    assertThat(b.metadata().getEvaluation().getSelection())
        .isEqualTo(a.metadata().getEvaluation().getSelection());
    assertThat(b.metadata().getEvaluation().getPositives())
        .isEqualTo(600 - a.metadata().getEvaluation().getPositives());
    assertThat(b.metadata().getEvaluation().getModel().getRocAuc())
        .isNotEqualTo(a.metadata().getEvaluation().getModel().getRocAuc());
  }
}
