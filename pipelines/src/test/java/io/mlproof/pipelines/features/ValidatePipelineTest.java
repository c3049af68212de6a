package io.mlproof.pipelines.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import io.mlproof.proto.v1.ValidationReport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gate end to end on features-like outputs: reports are committed, failures exit 1. */
class ValidatePipelineTest {
  @TempDir Path tmp;

  /** A committed features-like output holding {@code stats} and {@link ValidatorTest#SCHEMA}. */
  Path featuresOutput(String name, DatasetStatistics stats) throws Exception {
    Path dir = tmp.resolve(name);
    TaskOutput output = TaskOutput.begin(dir.toString());
    Path pb = Path.of(output.staging(ComputeStatistics.PB_FILE));
    Files.createDirectories(pb.getParent());
    Files.write(pb, stats.toByteArray());
    FeatureSpecs.write(ValidatorTest.SCHEMA, output.staging(FeatureSpecs.OUTPUT_FILE));
    output.commit(
        Manifest.newBuilder()
            .setPipeline("features")
            .addFiles(
                OutputFile.newBuilder()
                    .setName("statistics")
                    .setPath(ComputeStatistics.PB_FILE)
                    .setRecords(1))
            .addFiles(
                OutputFile.newBuilder()
                    .setName(FeatureSpecs.OUTPUT_NAME)
                    .setPath(FeatureSpecs.OUTPUT_FILE))
            .build());
    return dir;
  }

  @Test
  void aPassingGateCommitsItsReport() throws Exception {
    Path in = featuresOutput("f", ValidatorTest.healthy());
    Path out = tmp.resolve("gate");
    new ValidatePipeline()
        .run(
            new String[] {"--input=" + in, "--output=" + out, "--baseline=" + tmp.resolve("none")});
    Manifest m = TaskOutput.read(out.toString());
    assertThat(m.getAttributesMap()).containsEntry("passed", "true").containsEntry("baseline", "");
    String text = Files.readString(out.resolve(ValidatePipeline.REPORT_TEXT));
    assertThat(text)
        .startsWith("mlproof validation: PASSED (0 anomalies)\n")
        .contains("baseline:  none\n")
        .contains("no baseline: only absolute checks ran")
        .containsPattern("(?m)^a +100 +0\\.0% +0 +5 +5 +10 +- *$");
    ValidationReport.Builder json = ValidationReport.newBuilder();
    com.google.protobuf.util.JsonFormat.parser()
        .merge(Files.readString(out.resolve(ValidatePipeline.REPORT_JSON)), json);
    assertThat(json.getPassed()).isTrue();
  }

  @Test
  void aFailingGateStillCommitsTheReportAndListsEveryAnomaly() throws Exception {
    Path baseline =
        featuresOutput("before", ValidatorTest.healthy().toBuilder().setExamples(1000).build());
    Path in = featuresOutput("now", ValidatorTest.healthy().toBuilder().setPositives(0).build());
    Path out = tmp.resolve("gate");
    assertThatThrownBy(
            () ->
                new ValidatePipeline()
                    .run(
                        new String[] {
                          "--input=" + in, "--output=" + out, "--baseline=" + baseline
                        }))
        .isInstanceOf(RunFailedException.class)
        .hasMessage(
            "validation failed with 2 anomalies (report: "
                + out.resolve(ValidatePipeline.REPORT_TEXT)
                + "): LABEL_DEGENERATE the label rate is 0 (0 of 100 labelled examples are positive): a model cannot"
                + " learn it; check the label definition, the horizon and the cutoffs; ROW_COUNT_DROP the example count"
                + " dropped by 90.0% (from 1000 to 100), more than the allowed 50.0%");
    assertThat(TaskOutput.read(out.toString()).getAttributesMap()).containsEntry("passed", "false");
    assertThat(Files.readString(out.resolve(ValidatePipeline.REPORT_TEXT)))
        .startsWith("mlproof validation: FAILED (2 anomalies)\n")
        .contains("\n  LABEL_DEGENERATE the label rate is 0")
        .contains("\n  ROW_COUNT_DROP   the example count");
  }

  @Test
  void theGateRefusesAnOutputThatIsNotFromTheFeaturesStage() throws Exception {
    Path dir = tmp.resolve("extract");
    TaskOutput.begin(dir.toString()).commit(Manifest.newBuilder().setPipeline("extract").build());
    assertThatThrownBy(
            () ->
                new ValidatePipeline()
                    .run(new String[] {"--input=" + dir, "--output=" + tmp.resolve("g")}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            dir
                + " is the output of 'extract', not of 'features': point the gate at a features task's output");
  }
}
