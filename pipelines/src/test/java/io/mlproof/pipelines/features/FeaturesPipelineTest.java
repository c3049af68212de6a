package io.mlproof.pipelines.features;

import static io.mlproof.pipelines.features.Histories.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.EntityDay;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stage's contract at its edges: options, input checks, empty inputs, committed output. */
class FeaturesPipelineTest {
  @TempDir Path tmp;

  /** An extract-like output holding {@code rows}, with {@code type} as the records' type. */
  Path extract(String name, List<EntityDay> rows, String type) throws Exception {
    return Histories.extractOutput(tmp.resolve(name), List.of(rows), type);
  }

  Path extract(String name, List<EntityDay> rows) throws Exception {
    return extract(name, rows, "mlproof.v1.EntityDay");
  }

  void run(String... args) {
    new FeaturesPipeline().run(args);
  }

  @Test
  void isRegisteredForTheCliAndTheDags() {
    assertThat(io.mlproof.pipelines.core.Pipelines.get("features"))
        .isInstanceOf(FeaturesPipeline.class);
    assertThat(io.mlproof.pipelines.core.Pipelines.get("validate"))
        .isInstanceOf(ValidatePipeline.class);
  }

  @Test
  void badOptionsAreOneLineErrorsBeforeAnythingRuns() throws Exception {
    Path in = extract("in", List.of(row("u", "2024-03-01", "2024-01-01").setSessions(1).build()));
    String out = "--output=" + tmp.resolve("out");
    assertThatThrownBy(() -> run(out, "--cutoffs=2024-04-01"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--input");
    assertThatThrownBy(
            () ->
                run(
                    "--input=" + in,
                    out,
                    "--cutoffs=2024-04-01",
                    "--cutoffStart=2024-04-01",
                    "--cutoffEnd=2024-05-01"))
        .hasMessage("give either --cutoffs or --cutoffStart/--cutoffEnd, not both");
    assertThatThrownBy(() -> run("--input=" + in, out, "--cutoffs=2024-04-01,April"))
        .hasMessage("--cutoffs: 'April' is not a date (use YYYY-MM-DD)");
    assertThatThrownBy(() -> run("--input=" + in, out, "--cutoffStart=2024-04-01"))
        .hasMessage("--cutoffStart and --cutoffEnd go together: give both or neither");
    assertThatThrownBy(() -> run("--input=" + in, out))
        .hasMessage(
            "no cutoff: give --cutoffs=YYYY-MM-DD[,...],"
                + " --cutoffStart/--cutoffEnd[/--cutoffEveryDays] or --logicalDate");
    assertThatThrownBy(() -> run("--input=" + in, out, "--cutoffs=2024-04-01", "--horizonDays=0"))
        .hasMessage("--horizonDays must be positive, got 0");
    assertThatThrownBy(() -> run("--input=" + tmp.resolve("nothing"), out, "--cutoffs=2024-04-01"))
        .hasMessage(
            "no complete output at "
                + tmp.resolve("nothing")
                + " (manifest.json is missing):"
                + " run the task that produces it first");
    Path events = extract("events", List.of(), "mlproof.v1.Event");
    assertThatThrownBy(() -> run("--input=" + events, out, "--cutoffs=2024-04-01"))
        .hasMessage(
            "input "
                + events
                + " holds mlproof.v1.Event records, not mlproof.v1.EntityDay:"
                + " point --input at an extract run with --recordType=entity_days");
  }

  @Test
  void cutoffRangesAndTheLogicalDate() {
    FeaturesOptions o =
        org.apache.beam.sdk.options.PipelineOptionsFactory.fromArgs(
                "--cutoffStart=2024-03-01", "--cutoffEnd=2024-03-20", "--cutoffEveryDays=7")
            .as(FeaturesOptions.class);
    assertThat(Cutoffs.from(o).stream().map(Cutoffs::date))
        .containsExactly("2024-03-01", "2024-03-08", "2024-03-15");
    o =
        org.apache.beam.sdk.options.PipelineOptionsFactory.fromArgs("--logicalDate=2024-06-03")
            .as(FeaturesOptions.class);
    assertThat(Cutoffs.from(o)).containsExactly(Histories.d("2024-06-03"));
  }

  @Test
  void anEmptyInputIsAClearErrorAndLeavesNoOutput() throws Exception {
    Path in = extract("empty", List.of());
    Path out = tmp.resolve("out");
    assertThatThrownBy(() -> run("--input=" + in, "--output=" + out, "--cutoffs=2024-04-01"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "input "
                + in
                + " holds no entity-day rows: check the extract's date range and warehouse"
                + " (the features stage needs data)");
    assertThat(out.resolve("manifest.json")).doesNotExist();
  }

  /** A truncated entity-day file is an input error naming the file and the record, not a crash. */
  @Test
  void aTruncatedInputFileIsAClearError() throws Exception {
    Path in =
        extract(
            "cut",
            List.of(
                row("u", "2024-03-01", "2024-01-01").setSessions(1).build(),
                row("v", "2024-03-01", "2024-01-01").setSessions(2).build()));
    Path file;
    try (var files = Files.list(in)) {
      file =
          files
              .filter(f -> f.getFileName().toString().startsWith("records-"))
              .findFirst()
              .orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(file);
    Files.write(
        file, java.util.Arrays.copyOf(bytes, bytes.length - 3)); // the second record loses its CRC
    Path out = tmp.resolve("out");
    assertThatThrownBy(() -> run("--input=" + in, "--output=" + out, "--cutoffs=2024-03-02"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "corrupt TFRecord file "
                + file
                + " at byte "
                + bytes.length / 2 // both records are as long
                + ": truncated record (re-run the task that wrote it)");
    assertThat(out.resolve("manifest.json")).doesNotExist();
  }

  @Test
  void cutoffsOutsideTheDataAreAClearError() throws Exception {
    Path in =
        extract(
            "in",
            List.of(
                row("u", "2024-03-01", "2024-01-01").setSessions(1).build(),
                row("", "2024-03-01", "2024-01-01").setSessions(1).build()));
    Path out = tmp.resolve("out");
    assertThatThrownBy(() -> run("--input=" + in, "--output=" + out, "--cutoffs=2024-03-02"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "no examples at cutoffs 2024-03-02: 2 entity-day rows read, 1 dead letters, data covers"
                + " 2024-03-01..2024-03-01; 0 entity-cutoffs inactive in the lookback, 0 signed up after the cutoff,"
                + " 1 with the label window still open (score with --requireLabels=false): choose cutoffs inside the data");
    assertThat(out.resolve("manifest.json")).doesNotExist();
  }

  @Test
  void aScoringRunCommitsExamplesDeadLettersStatisticsAndTheSpec() throws Exception {
    Path in =
        extract(
            "in",
            List.of(
                row("u", "2024-03-01", "2024-01-01").setSessions(1).build(),
                row("v", "2024-03-05", "2024-02-01").setPurchases(1).setRevenueCents(500).build(),
                row("bad", "2024-03-01", "2024-01-01").setRefunds(-1).build()));
    Path out = tmp.resolve("out");
    run(
        "--input=" + in,
        "--output=" + out,
        "--cutoffs=2024-03-10",
        "--requireLabels=false",
        "--dagId=d",
        "--taskId=t");
    Manifest m = TaskOutput.read(out.toString());
    assertThat(m.getPipeline()).isEqualTo("features");
    assertThat(m.getDagId()).isEqualTo("d");
    assertThat(m.getFilesList())
        .extracting(OutputFile::getName, OutputFile::getRecords)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("records", 2L),
            org.assertj.core.groups.Tuple.tuple("dead_letter", 1L),
            org.assertj.core.groups.Tuple.tuple("statistics", 1L),
            org.assertj.core.groups.Tuple.tuple("statistics_json", 1L),
            org.assertj.core.groups.Tuple.tuple("feature_spec", 1L));
    assertThat(m.getAttributesMap())
        .containsEntry("cutoffs", "2024-03-10")
        .containsEntry("require_labels", "false")
        .containsEntry("label_definition", "NO_PURCHASE")
        .containsEntry("horizon_days", "30");
    var examples =
        TfRecordFiles.read(out, "records-*.tfrecord", io.mlproof.proto.v1.Example.parser());
    assertThat(examples)
        .extracting(e -> e.getEntityId() + ":" + e.getHasLabel())
        .containsExactlyInAnyOrder("u:false", "v:false");
    var letters =
        TfRecordFiles.read(out, "dead_letter-*.tfrecord", io.mlproof.proto.v1.DeadLetter.parser());
    assertThat(letters).extracting(l -> l.getReasonCode().name()).containsExactly("NEGATIVE_COUNT");
    var stats = ComputeStatistics.read(out.resolve("statistics.pb").toString());
    assertThat(stats.getExamples()).isEqualTo(2);
    assertThat(stats.getLabeledExamples()).isZero();
    assertThat(
            Files.list(out)
                .map(p -> p.getFileName().toString())
                .filter(n -> n.startsWith(".staging")))
        .isEmpty();
  }
}
