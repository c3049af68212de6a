package io.mlproof.pipelines.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.mlproof.pipelines.core.ProtoRecords;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.DeadLetter;
import io.mlproof.proto.v1.EntityDay;
import io.mlproof.proto.v1.Example;
import io.mlproof.proto.v1.FeatureStatistics;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import io.mlproof.proto.v1.ValidationReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Features and validate on the stage skeleton (issue 11): the same input on the Direct runner and
 * on Flink local (embedded, parallelism 2) gives identical outputs, each manifest names its runner,
 * and validate's report is the one {@link Validator#validate} gives for the same statistics (its
 * checks run as pipeline steps and are merged there).
 */
class FeaturesAndValidateRunnerParityTest {
  private static final String[] FLINK = {"--runner=FlinkRunner", "--parallelism=2"};
  private static final String[] DIRECT = {"--runner=DirectRunner"};
  private static final int ENTITIES = 300;

  @TempDir static Path dir;
  static Path extract;
  static long rows;

  /**
   * An extract-like output in three files: {@value #ENTITIES} seeded entities with daily activity
   * from their signup to 2024-05-31, and one row per dead-letter reason the stage knows.
   */
  @BeforeAll
  static void entityDays() throws Exception {
    Random random = new Random(20241130);
    List<List<EntityDay>> files = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    int last = Histories.d("2024-05-31");
    for (int e = 0; e < ENTITIES; e++) {
      int signup = Histories.d("2024-01-01") + random.nextInt(90);
      double activity = 0.05 + 0.6 * random.nextDouble();
      int churnDay = signup + 20 + random.nextInt(200); // some stop before the data ends
      for (int day = signup; day <= Math.min(last, churnDay); day++) {
        if (random.nextDouble() >= activity) {
          continue;
        }
        int sessions = 1 + random.nextInt(3);
        int purchases = random.nextDouble() < 0.2 ? 1 : 0;
        files
            .get(e % 3)
            .add(
                EntityDay.newBuilder()
                    .setEntityId("u" + e)
                    .setDay(day)
                    .setSignupDay(signup)
                    .setSessions(sessions)
                    .setPageViews(sessions * (2 + random.nextInt(8)))
                    .setAddToCarts(random.nextInt(2))
                    .setPurchases(purchases)
                    .setRevenueCents(purchases * (500 + random.nextInt(5000)))
                    .setFailedPayments(random.nextDouble() < 0.03 ? 1 : 0)
                    .build());
      }
    }
    files.get(0).add(Histories.row("", "2024-03-10", "2024-01-05").setSessions(1).build());
    files.get(1).add(Histories.row("bad1", "2024-03-10", "2024-01-05").setSessions(-1).build());
    files
        .get(2)
        .add(
            Histories.row("bad2", "2024-03-10", "2024-01-05")
                .setSessions(1)
                .setPurchases(0)
                .setPurchasesAtMidnight(1)
                .build());

    for (List<EntityDay> file : files) {
      rows += file.size();
    }
    extract =
        Histories.extractOutput(
            dir.resolve("extract"), files, EntityDay.getDescriptor().getFullName());
  }

  private static Manifest features(String name, String cutoffs, String... runner) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--input=" + extract,
                "--output=" + dir.resolve(name),
                "--cutoffs=" + cutoffs,
                "--horizonDays=28"));
    args.addAll(List.of(runner));
    return FeaturesPipeline.run(
        PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
            .withValidation()
            .as(FeaturesOptions.class));
  }

  private static ValidationReport validate(
      String name, String input, String baseline, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--input=" + dir.resolve(input),
                "--baseline=" + dir.resolve(baseline),
                "--output=" + dir.resolve(name)));
    args.addAll(List.of(more));
    return ValidatePipeline.run(
        PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
            .withValidation()
            .as(ValidateOptions.class));
  }

  /** The report of the checks alone (no pipeline) on two committed features outputs. */
  private static ValidationReport checked(String input, String baseline, double maxDrift) {
    return Validator.validate(
        ValidatePipeline.statistics(dir.resolve(input).toString()),
        FeatureSpecs.fromFeaturesOutput(dir.resolve(input).toString()),
        Optional.of(ValidatePipeline.statistics(dir.resolve(baseline).toString())),
        new Validator.Thresholds(0.5, maxDrift));
  }

  /** Every record of a sharded output, in byte order: the shard count is the runner's choice. */
  private static List<ByteString> records(String run, String name) throws Exception {
    return TfRecordFiles.read(dir.resolve(run), ProtoRecords.shardGlob(name), Example.parser())
        .stream()
        .map(Message::toByteString)
        .sorted(ByteString.unsignedLexicographicalComparator())
        .toList();
  }

  private static byte[] bytes(String run, String file) throws Exception {
    return Files.readAllBytes(dir.resolve(run).resolve(file));
  }

  /** A manifest without what differs by design: the runner, creation time, some hashes. */
  private static Manifest comparable(Manifest m) {
    Manifest.Builder b = m.toBuilder().clearRunner().clearCreatedAtMicros().clearFiles();
    for (OutputFile f : m.getFilesList()) {
      // Shards are the runner's choice; the statistics' hashes follow their means' last bits.
      boolean byRunner = f.getPath().contains("*") || f.getName().startsWith("statistics");
      b.addFiles(byRunner ? f.toBuilder().clearSha256().build() : f);
    }
    return b.build();
  }

  @Test
  void featuresOnDirectAndFlinkWriteTheSameExamplesStatisticsAndDeadLetters() throws Exception {
    Manifest direct = features("features-direct", "2024-03-01,2024-04-01", DIRECT);
    Manifest flink = features("features-flink", "2024-03-01,2024-04-01", FLINK);

    assertThat(direct.getRunner()).isEqualTo("DirectRunner");
    assertThat(flink.getRunner()).isEqualTo("FlinkRunner");
    assertThat(direct.getPipeline()).isEqualTo("features");
    assertThat(direct.getCountersMap())
        .containsEntry("entity_days_read", rows)
        .containsEntry("entity_days_dead_letter", 3L);
    assertThat(direct.getAttributesMap())
        .containsEntry("single_machine_steps", "ComputeStatistics")
        .containsEntry("cutoffs", "2024-03-01,2024-04-01");
    assertThat(comparable(flink)).isEqualTo(comparable(direct));

    List<ByteString> examples = records("features-direct", FeaturesPipeline.RECORDS);
    assertThat(examples).hasSize((int) direct.getCountersOrThrow("examples")).isNotEmpty();
    assertThat(records("features-flink", FeaturesPipeline.RECORDS)).isEqualTo(examples);
    List<DeadLetter> dead =
        TfRecordFiles.read(
            dir.resolve("features-flink"),
            ProtoRecords.shardGlob(FeaturesPipeline.DEAD_LETTER),
            DeadLetter.parser());
    assertThat(dead)
        .extracting(DeadLetter::getReasonCode)
        .containsExactlyInAnyOrder(
            DeadLetter.Reason.NULL_ID,
            DeadLetter.Reason.NEGATIVE_COUNT,
            DeadLetter.Reason.INCONSISTENT_COUNT);
    assertThat(bytes("features-flink", FeatureSpecs.OUTPUT_FILE))
        .isEqualTo(bytes("features-direct", FeatureSpecs.OUTPUT_FILE));
    assertSameStatistics("features-direct", "features-flink");
  }

  /**
   * Equal statistics, but for the last bits of means and deviations: they are sums whose order
   * follows the runner's sharding of the examples (Chan's merge of per-file Welford sums), so they
   * may differ by rounding; relative tolerance 1e-12. Counts, extremes and deciles (exact at this
   * size) are equal. The JSON file is the same statistics as the binary one.
   */
  private static void assertSameStatistics(String run, String other) throws Exception {
    DatasetStatistics a = statistics(run);
    DatasetStatistics b = statistics(other);
    assertThat(withoutMoments(b)).isEqualTo(withoutMoments(a));
    for (int f = 0; f < a.getFeaturesCount(); f++) {
      FeatureStatistics x = a.getFeatures(f);
      FeatureStatistics y = b.getFeatures(f);
      assertThat(y.getMean())
          .as(x.getFeature())
          .isCloseTo(x.getMean(), withinRelative(x.getMean()));
      assertThat(y.getStddev())
          .as(x.getFeature())
          .isCloseTo(x.getStddev(), withinRelative(x.getStddev()));
    }
    for (String r : List.of(run, other)) {
      DatasetStatistics.Builder json = DatasetStatistics.newBuilder();
      JsonFormat.parser()
          .merge(Files.readString(dir.resolve(r).resolve(ComputeStatistics.JSON_FILE)), json);
      assertThat(json.build()).isEqualTo(statistics(r));
    }
  }

  private static Offset<Double> withinRelative(double x) {
    return Offset.offset(1e-12 * Math.max(1, Math.abs(x)));
  }

  private static DatasetStatistics statistics(String run) throws Exception {
    return DatasetStatistics.parseFrom(bytes(run, ComputeStatistics.PB_FILE));
  }

  private static DatasetStatistics withoutMoments(DatasetStatistics stats) {
    DatasetStatistics.Builder b = stats.toBuilder();
    b.getFeaturesBuilderList().forEach(f -> f.clearMean().clearStddev());
    return b.build();
  }

  @Test
  void validateOnDirectAndFlinkWritesTheReportTheCheckerGives() throws Exception {
    features("current", "2024-03-01,2024-04-01", DIRECT);
    features("previous", "2024-02-15,2024-03-15", DIRECT);
    ValidationReport expected = checked("current", "previous", 0.25);
    assertThat(expected.getNotesList()).anyMatch(n -> n.startsWith("baseline: "));

    for (String[] runner : List.of(DIRECT, FLINK)) {
      String name = "validate-" + runner[0].substring("--runner=".length());
      assertThat(validate(name, "current", "previous", runner)).isEqualTo(expected);
      Manifest manifest = TaskOutput.read(dir.resolve(name).toString());
      assertThat(manifest.getRunner()).isEqualTo(runner[0].substring("--runner=".length()));
      assertThat(manifest.getPipeline()).isEqualTo("validate");
      assertThat(manifest.getAttributesMap())
          .containsEntry("passed", Boolean.toString(expected.getPassed()));
      assertThat(manifest.getCountersMap())
          .containsEntry("anomalies", (long) expected.getAnomaliesCount());
    }
    for (String file : List.of(ValidatePipeline.REPORT_JSON, ValidatePipeline.REPORT_TEXT)) {
      assertThat(bytes("validate-FlinkRunner", file))
          .as(file)
          .isEqualTo(bytes("validate-DirectRunner", file));
    }
    ValidationReport.Builder json = ValidationReport.newBuilder();
    JsonFormat.parser()
        .merge(Files.readString(dir.resolve("validate-FlinkRunner/validation_report.json")), json);
    assertThat(json.build()).isEqualTo(expected);
  }

  /** A failed gate on Flink: exit 1 naming the anomalies, the report committed all the same. */
  @Test
  void aFailedValidationOnFlinkStillCommitsItsReport() throws Exception {
    features("drifted", "2024-04-15", DIRECT);
    features("baseline", "2024-02-15,2024-03-15", DIRECT);
    ValidationReport expected = checked("drifted", "baseline", 0.01);
    assertThat(expected.getPassed()).isFalse();

    Path out = dir.resolve("failed-gate");
    assertThatThrownBy(
            () ->
                validate(
                    "failed-gate",
                    "drifted",
                    "baseline",
                    Stream.concat(Stream.of(FLINK), Stream.of("--maxDrift=0.01"))
                        .toArray(String[]::new)))
        .isInstanceOf(RunFailedException.class)
        .hasMessage(
            "validation failed with "
                + expected.getAnomaliesCount()
                + " anomalies (report: "
                + out.resolve(ValidatePipeline.REPORT_TEXT)
                + "): "
                + Validator.summary(expected));
    Manifest manifest = TaskOutput.read(out.toString());
    assertThat(manifest.getRunner()).isEqualTo("FlinkRunner");
    assertThat(manifest.getAttributesMap()).containsEntry("passed", "false");
    assertThat(ValidatePipeline.report(out.toString())).isEqualTo(expected);
  }
}
