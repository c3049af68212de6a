package io.mlproof.pipelines.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.pipelines.model.SyntheticExamples;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.ModelMetadata;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Train is a Beam pipeline (issue 11): the same examples (three shards, so the runners deliver the
 * records in different orders) trained on the Direct runner and on Flink (embedded local cluster,
 * parallelism 2) give byte-identical model, evaluation, predictions and test rows, and both are
 * byte-identical to what the former driver-only trainer wrote: every record read in the driver,
 * files in name order ({@code source(options).load()}), then the same fit.
 */
class TrainRunnerParityTest {
  private static final PrintStream QUIET =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  private static final List<String> FILES =
      List.of(
          ModelArtifact.MODEL_FILE,
          TrainPipeline.EVALUATION_JSON,
          TrainPipeline.PREDICTIONS_CSV,
          TrainPipeline.TEST_FILE);
  @TempDir static Path dir;
  static String features;
  static TrainPipeline.Result direct;
  static TrainPipeline.Result flink;

  @BeforeAll
  static void trainOnBothRunners() {
    features =
        SyntheticExamples.write(
            dir.resolve("features"), SyntheticExamples.World.MANY_FEATURES, 1500, 5);
    direct = train("direct", "--runner=DirectRunner");
    flink = train("flink", "--runner=FlinkRunner", "--parallelism=2");
  }

  private static TrainPipeline.Result train(String name, String... more) {
    return TrainPipeline.run(
        SyntheticExamples.options(SyntheticExamples.trainArgs(features, dir.resolve(name), more)),
        QUIET);
  }

  @Test
  void bothRunnersWriteTheFormerDriverTrainersBytes() throws Exception {
    Path former = Files.createDirectories(dir.resolve("former"));
    TrainOptions options =
        SyntheticExamples.options(SyntheticExamples.trainArgs(features, dir.resolve("unused")));
    TrainPipeline.fit(
        options,
        TrainPipeline.source(options).load(),
        new StageClock(),
        file -> former.resolve(file).toString());

    for (String file : FILES) {
      byte[] expected = Files.readAllBytes(former.resolve(file));
      assertThat(Files.readAllBytes(dir.resolve("direct").resolve(file)))
          .as(file)
          .isEqualTo(expected);
      assertThat(Files.readAllBytes(dir.resolve("flink").resolve(file)))
          .as(file)
          .isEqualTo(expected);
    }
    // The metadata differs only in when it was made.
    ModelMetadata expected =
        ModelMetadata.parseFrom(Files.readAllBytes(former.resolve(ModelArtifact.METADATA_FILE)));
    assertThat(direct.metadata().toBuilder().clearCreatedAtMicros().build())
        .isEqualTo(expected.toBuilder().clearCreatedAtMicros().build());
    assertThat(flink.metadata().toBuilder().clearCreatedAtMicros().build())
        .isEqualTo(expected.toBuilder().clearCreatedAtMicros().build());
  }

  @Test
  void eachManifestNamesItsRunnerAndTheSingleMachineSteps() {
    Manifest d = direct.manifest();
    Manifest f = flink.manifest();
    assertThat(d.getPipeline()).isEqualTo("train");
    assertThat(d.getRunner()).isEqualTo("DirectRunner");
    assertThat(f.getRunner()).isEqualTo("FlinkRunner");
    for (Manifest m : List.of(d, f)) {
      assertThat(m.getAttributesMap())
          .containsEntry("single_machine_steps", "GatherExamples,FitAndEvaluate")
          .containsEntry("examples", features)
          .doesNotContainKey(TrainPipeline.SUMMARY);
      assertThat(m.getFilesList())
          .extracting(file -> file.getPath())
          .containsExactlyInAnyOrder(
              "model.txt",
              "metadata.pb",
              "metadata.json",
              "evaluation.json",
              "predictions.csv",
              "test-00000-of-00001.tfrecord");
      // 4 cutoffs x 1500 entities: the two oldest train, the next validates, the newest tests.
      assertThat(m.getCountersMap())
          .containsEntry("examples_read", 6000L)
          .containsEntry("train_rows", 3000L)
          .containsEntry("validation_rows", 1500L)
          .containsEntry("test_rows", 1500L);
    }
    assertThat(Files.exists(Path.of(direct.outputDir()).resolve(TrainPipeline.SUMMARY))).isFalse();
    assertThat(f.getCountersMap()).isEqualTo(d.getCountersMap());
  }
}
