package io.mlproof.pipelines.score;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.JsonFormat;
import io.mlproof.pipelines.bless.BlessPipeline;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.Sha256;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.features.FeaturesPipeline;
import io.mlproof.pipelines.model.SyntheticExamples;
import io.mlproof.pipelines.train.TrainPipeline;
import io.mlproof.proto.v1.EntityDay;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tampered-artifact corpus (issue 10 items 5-7): at each stage boundary, an artifact changed
 * after its stage committed it is refused with exit 2 (InvalidInputException) before the next stage
 * does any work. A new stage joins by adding a {@link Case} to {@link #corpus()}.
 */
class TamperedArtifactsTest {
  private static final PrintStream QUIET =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  @TempDir static Path dir;
  static Path extract;
  static Path features;
  static Path train;
  static Path rejected;
  static Path blessed;

  /**
   * One tampering: which files to change in a fresh copy of the artifacts, the stage that must
   * refuse.
   */
  record Case(String name, Tamper tamper, Stage stage, String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  interface Tamper {
    void apply(Path copy) throws Exception;
  }

  interface Stage {
    void run(Path copy, Path out) throws Exception;
  }

  @BeforeAll
  static void artifacts() throws Exception {
    extract = dir.resolve("base/extract");
    TaskOutput output = TaskOutput.begin(extract.toString());
    try (TfRecordFiles.Writer writer =
        new TfRecordFiles.Writer(output.staging("records-00000-of-00001.tfrecord"))) {
      for (int user = 1; user <= 3; user++) {
        writer.write(
            EntityDay.newBuilder()
                .setEntityId(Integer.toString(user))
                .setDay(19800)
                .build()
                .toByteArray());
      }
    }
    output.commit(
        Manifest.newBuilder()
            .setPipeline("extract")
            .setRecordType("mlproof.v1.EntityDay")
            .addFiles(
                OutputFile.newBuilder()
                    .setName("records")
                    .setPath("records-*.tfrecord")
                    .setRecords(3)
                    .setRecordType("mlproof.v1.EntityDay"))
            .build());
    features =
        Path.of(
            SyntheticExamples.write(
                dir.resolve("base/features"), SyntheticExamples.World.MANY_FEATURES, 400, 5));
    train =
        Path.of(
            TrainPipeline.run(
                    SyntheticExamples.options(
                        SyntheticExamples.trainArgs(
                            features.toString(), dir.resolve("base/train"))),
                    QUIET)
                .outputDir());
    Path recencyFeatures =
        Path.of(
            SyntheticExamples.write(
                dir.resolve("base/recency-features"),
                SyntheticExamples.World.RECENCY_RULE,
                400,
                6));
    rejected =
        Path.of(
            TrainPipeline.run(
                    SyntheticExamples.options(
                        SyntheticExamples.trainArgs(
                            recencyFeatures.toString(), dir.resolve("base/rejected"))),
                    QUIET)
                .outputDir());
    blessed = dir.resolve("base/bless");
    BlessPipeline.run(BlessAndScoreTest.bless(train.toString(), blessed.toString()), QUIET);
  }

  static Stream<Case> corpus() {
    return Stream.of(
        new Case(
            "extract -> features: a records file cut at a record boundary",
            copy -> cutLastRecord(copy.resolve("extract/records-00000-of-00001.tfrecord")),
            (copy, out) ->
                new FeaturesPipeline()
                    .run(
                        new String[] {
                          "--input=" + copy.resolve("extract"),
                          "--output=" + out,
                          "--cutoffs=2024-03-01"
                        }),
            "records-*.tfrecord holds 2 records but the manifest of "),
        new Case(
            "features -> train: the feature spec edited",
            copy -> append(copy.resolve("features/feature_spec.json"), " "),
            (copy, out) ->
                TrainPipeline.run(
                    SyntheticExamples.options(
                        SyntheticExamples.trainArgs(copy.resolve("features").toString(), out)),
                    QUIET),
            "feature_spec.json has SHA-256 "),
        new Case(
            "features -> train: an examples shard cut at a record boundary",
            copy -> cutLastExample(copy.resolve("features/records-00002-of-00003.tfrecord")),
            (copy, out) ->
                TrainPipeline.run(
                    SyntheticExamples.options(
                        SyntheticExamples.trainArgs(copy.resolve("features").toString(), out)),
                    QUIET),
            "records"),
        new Case(
            "train -> bless: a flipped bit in metadata.pb",
            copy -> flipBit(copy.resolve("train/metadata.pb")),
            (copy, out) ->
                BlessPipeline.run(
                    BlessAndScoreTest.bless(copy.resolve("train").toString(), out.toString()),
                    QUIET),
            "metadata.pb has SHA-256 "),
        new Case(
            "train -> bless: model.txt edited",
            copy -> append(copy.resolve("train/model.txt"), "\n"),
            (copy, out) ->
                BlessPipeline.run(
                    BlessAndScoreTest.bless(copy.resolve("train").toString(), out.toString()),
                    QUIET),
            "model.txt has SHA-256 "),
        new Case(
            "bless -> score: blessing.json edited",
            copy ->
                replace(
                    copy.resolve("bless/blessing.json"),
                    "\"tolerance\": 0.01",
                    "\"tolerance\": 0.5"),
            (copy, out) -> ScorePipeline.run(score(copy.resolve("bless"), out), QUIET),
            "blessing.json has SHA-256 "),
        new Case(
            "bless -> score: a rejected model's files copied in, manifest hashes rewritten to match",
            copy -> {
              for (String file : List.of("model.txt", "metadata.pb")) {
                Files.copy(
                    rejected.resolve(file),
                    copy.resolve("bless").resolve(file),
                    StandardCopyOption.REPLACE_EXISTING);
              }
              rehash(copy.resolve("bless"));
            },
            (copy, out) -> ScorePipeline.run(score(copy.resolve("bless"), out), QUIET),
            "the model in "));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void aTamperedArtifactIsRefusedBeforeTheNextStageWorks(Case c) throws Exception {
    Path copy = dir.resolve("case-" + Math.abs(c.name().hashCode()));
    copyTree(dir.resolve("base"), copy);
    c.tamper().apply(copy);
    Path out = copy.resolve("out");
    assertThatThrownBy(() -> c.stage().run(copy, out))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(c.message());
    // nothing was committed
    org.assertj.core.api.Assertions.assertThat(out.resolve(TaskOutput.MANIFEST)).doesNotExist();
  }

  private static io.mlproof.pipelines.score.ScoreOptions score(Path model, Path out)
      throws Exception {
    Path warehouse = model.resolveSibling("w.duckdb");
    java.sql.DriverManager.getConnection("jdbc:duckdb:" + warehouse).close();
    return org.apache.beam.sdk.options.PipelineOptionsFactory.fromArgs(
            "--model=" + model,
            "--examples=" + model.resolveSibling("features"),
            "--output=" + out,
            "--warehouse=duckdb:" + warehouse)
        .withValidation()
        .as(ScoreOptions.class);
  }

  private static void cutLastRecord(Path file) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    int record =
        16 + EntityDay.newBuilder().setEntityId("3").setDay(19800).build().getSerializedSize();
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - record));
  }

  /** Drops the last record of a TFRecord file, reading the record lengths from its headers. */
  private static void cutLastExample(Path file) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    java.nio.ByteBuffer view =
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int offset = 0;
    int last = 0;
    while (offset < bytes.length) {
      last = offset;
      offset += 16 + (int) view.getLong(offset);
    }
    Files.write(file, java.util.Arrays.copyOf(bytes, last));
  }

  private static void flipBit(Path file) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x04;
    Files.write(file, bytes);
  }

  private static void append(Path file, String text) throws Exception {
    Files.writeString(file, text, java.nio.file.StandardOpenOption.APPEND);
  }

  private static void replace(Path file, String from, String to) throws Exception {
    String content = Files.readString(file);
    if (!content.contains(from)) {
      throw new IllegalStateException(file + " has no '" + from + "'");
    }
    Files.writeString(file, content.replace(from, to));
  }

  /** What a careful tamperer does: makes the manifest's hashes match the replaced files. */
  private static void rehash(Path output) throws Exception {
    Manifest.Builder manifest = Manifest.newBuilder();
    JsonFormat.parser().merge(Files.readString(output.resolve(TaskOutput.MANIFEST)), manifest);
    for (OutputFile.Builder file : manifest.getFilesBuilderList()) {
      if (!file.getSha256().isEmpty()) {
        file.setSha256(Sha256.hex(Files.readAllBytes(output.resolve(file.getPath()))));
      }
    }
    Files.writeString(output.resolve(TaskOutput.MANIFEST), TaskOutput.toJson(manifest.build()));
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
