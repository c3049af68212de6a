package io.mlproof.pipelines.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.ProtoRecords;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.Sha256;
import io.mlproof.pipelines.features.FeatureSpecs;
import io.mlproof.pipelines.train.DeterminismMain;
import io.mlproof.pipelines.train.TrainPipeline;
import io.mlproof.proto.v1.Example;
import io.mlproof.proto.v1.FeatureSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArtifactTest {
  @TempDir static Path shared;
  static List<Example> examples;
  static String features;
  static TrainPipeline.Result first;
  final transient TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(true);

  @BeforeAll
  static void trainOnce() {
    examples = SyntheticExamples.generate(SyntheticExamples.World.MANY_FEATURES, 500, 3);
    features =
        SyntheticExamples.writeFeaturesOutput(
            shared.resolve("features"), SyntheticExamples.spec(), examples, 2);
    first = train(features, shared.resolve("first"));
  }

  static TrainPipeline.Result train(String examples, Path output) {
    return TrainPipeline.run(
        SyntheticExamples.options(SyntheticExamples.trainArgs(examples, output)),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  @Test
  void sameExamplesGiveIdenticalModelBytesWhateverTheSharding() throws Exception {
    // The same rows shuffled into 5 shards instead of 2.
    List<Example> shuffled = new ArrayList<>(examples);
    Collections.shuffle(shuffled, new Random(99));
    String reshuffled =
        SyntheticExamples.writeFeaturesOutput(
            shared.resolve("reshuffled"), SyntheticExamples.spec(), shuffled, 5);
    TrainPipeline.Result second = train(features, shared.resolve("second"));
    TrainPipeline.Result third = train(reshuffled, shared.resolve("third"));
    byte[] bytes = Files.readAllBytes(Path.of(first.outputDir(), ModelArtifact.MODEL_FILE));
    assertThat(Files.readAllBytes(Path.of(second.outputDir(), ModelArtifact.MODEL_FILE)))
        .isEqualTo(bytes);
    assertThat(Files.readAllBytes(Path.of(third.outputDir(), ModelArtifact.MODEL_FILE)))
        .isEqualTo(bytes);
    assertThat(third.metadata().getInputDataSha256())
        .isEqualTo(first.metadata().getInputDataSha256());
    assertThat(third.metadata().getModelId()).isEqualTo(first.metadata().getModelId());
  }

  @Test
  void anotherJvmTrainsTheSameBytes() throws Exception {
    Path out = shared.resolve("forked");
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                DeterminismMain.class.getName(),
                features,
                out.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    assertThat(output).contains("model_sha256=" + first.metadata().getModelSha256());
    assertThat(Files.readAllBytes(out.resolve(ModelArtifact.MODEL_FILE)))
        .isEqualTo(Files.readAllBytes(Path.of(first.outputDir(), ModelArtifact.MODEL_FILE)));
  }

  @Test
  void tamperedModelFileIsRejected(@TempDir Path dir) throws Exception {
    Path copy = dir.resolve("model");
    Files.createDirectories(copy);
    try (var files = Files.list(Path.of(first.outputDir()))) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    Path model = copy.resolve(ModelArtifact.MODEL_FILE);
    String text = Files.readString(model);
    Files.writeString(model, text.replaceFirst("learning_rate: 0.1", "learning_rate: 0.2"));
    String actual = Sha256.hex(Files.readAllBytes(model));
    // the manifest's hash catches it first
    assertThatThrownBy(() -> ModelArtifact.load(copy.toString()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            model
                + " has SHA-256 "
                + actual
                + " but the manifest of "
                + copy
                + " records "
                + first.metadata().getModelSha256()
                + ": the file was changed after task adhoc (pipeline train) wrote it;"
                + " re-run that task");
    // and with the manifest's hash removed (an output from before manifests had hashes), the
    // metadata's
    Path manifest = copy.resolve(io.mlproof.pipelines.core.TaskOutput.MANIFEST);
    Files.writeString(
        manifest,
        Files.readString(manifest)
            .replaceAll(",\\s*\"sha256\": \"" + first.metadata().getModelSha256() + "\"", ""));
    assertThatThrownBy(() -> ModelArtifact.load(copy.toString()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "model file "
                + model
                + " has SHA-256 "
                + actual
                + " but model "
                + first.metadata().getModelId()
                + " was trained as "
                + first.metadata().getModelSha256()
                + ": the file was changed after training; restore it or retrain");
  }

  @Test
  void examplesOfAnotherFeatureSpecAreRejected() {
    ModelArtifact model = ModelArtifact.load(first.outputDir());
    FeatureSpec other = SyntheticExamples.spec().toBuilder().setVersion(2).build();
    String otherHash = FeatureSpecs.hash(other);
    assertThatThrownBy(() -> model.checkSpec(otherHash, "/runs/features"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "the examples at /runs/features were built with feature spec "
                + otherHash
                + " but model "
                + model.id()
                + " ("
                + first.outputDir()
                + ") expects churn_test v1 ("
                + FeatureSpecs.hash(SyntheticExamples.spec())
                + "): build the features with the model's spec, or retrain on these features");
    // Reading examples with a spec they were not built with fails on the first record.
    assertThatThrownBy(() -> ExampleReader.readExamples(features, other))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(
            "was built with feature spec "
                + FeatureSpecs.hash(SyntheticExamples.spec())
                + " but the spec churn_test v2 hashes to "
                + otherHash);
  }

  @Test
  void readsRecordsWrittenByBeamTfRecordIo(@TempDir Path dir) {
    // The features stage writes with ProtoRecords (Beam's TFRecordIO); the driver-side reader must
    // read those files byte for byte.
    List<Example> some = examples.subList(0, 50);
    p.apply(Create.of(some).withCoder(ProtoCoder.of(Example.class)))
        .apply(ProtoRecords.write(dir.resolve("records").toString()));
    p.run().waitUntilFinish();
    ExampleBuffer buffer =
        ExampleReader.read(
            dir.resolve(ProtoRecords.shardGlob("records")).toString(),
            SyntheticExamples.spec(),
            50);
    assertThat(buffer.rows()).isEqualTo(50);
    int[] order = buffer.canonicalOrder();
    List<Example> sorted = new ArrayList<>(some);
    sorted.sort(
        (a, b) ->
            a.getCutoffDay() != b.getCutoffDay()
                ? Integer.compare(a.getCutoffDay(), b.getCutoffDay())
                : a.getEntityId().compareTo(b.getEntityId()));
    for (int i = 0; i < 50; i++) {
      Example e = sorted.get(i);
      int r = order[i];
      assertThat(buffer.id(r)).isEqualTo(e.getEntityId());
      assertThat(buffer.label(r)).isEqualTo(e.getLabel());
      for (int c = 0; c < 5; c++) {
        assertThat(Double.doubleToRawLongBits(buffer.value(r, c)))
            .isEqualTo(Double.doubleToRawLongBits(e.getFeatures(c)));
      }
    }
  }

  @Test
  void corruptRecordFileFailsLoudly(@TempDir Path dir) throws Exception {
    String out =
        SyntheticExamples.writeFeaturesOutput(
            dir.resolve("features"), SyntheticExamples.spec(), examples.subList(0, 10), 1);
    Path shard = dir.resolve("features").resolve("records-00000-of-00001.tfrecord");
    byte[] bytes = Files.readAllBytes(shard);
    bytes[20] ^= 0x01; // inside the first record's data
    Files.write(shard, bytes);
    assertThatThrownBy(() -> ExampleReader.readExamples(out, SyntheticExamples.spec()))
        .isInstanceOf(RunFailedException.class)
        .hasMessage(
            "corrupt TFRecord file "
                + shard
                + " at byte 0: data checksum mismatch"
                + " (re-run the task that wrote it)");
  }
}
