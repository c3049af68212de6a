package io.mlproof.pipelines.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.JsonFormat;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.proto.v1.AbAnalysis;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.SaveRate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.MimeTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --saveRateFrom reads the A/B analysis output's saveRate (the shared contract) and closes the
 * loop.
 */
class SaveRateSourceTest {
  @TempDir Path dir;

  private String analysis(SaveRate saveRate) throws Exception {
    TaskOutput output = TaskOutput.begin(dir.resolve("analyze").toString());
    String json =
        JsonFormat.printer()
            .print(AbAnalysis.newBuilder().setExperimentId("e1").setSaveRate(saveRate));
    ModelArtifact.write(
        output.staging(SaveRateSource.FILE), json.getBytes(StandardCharsets.UTF_8), MimeTypes.TEXT);
    output.commit(Manifest.newBuilder().setPipeline("analyze").build());
    return output.directory();
  }

  @Test
  void theMeasuredSaveRateReplacesTheAssumedOneAndItsIntervalJoinsTheGrid() throws Exception {
    String dirName =
        analysis(
            SaveRate.newBuilder()
                .setEstimate(0.12)
                .setCi95Low(-0.03)
                .setCi95High(0.27)
                .setDefinition("kept share of flagged churners")
                .build());
    SaveRateSource source = SaveRateSource.read(dirName);
    assertThat(source.estimate()).isEqualTo(0.12);
    assertThat(source.ci95Low()).as("clamped to a share").isZero();
    assertThat(source.ci95High()).isEqualTo(0.27);
    BacktestOptions options =
        PipelineOptionsFactory.fromArgs("--output=x", "--saveRateGrid=0.1,0.5")
            .as(BacktestOptions.class);
    Economics economics = BacktestPipeline.economics(options, source);
    assertThat(economics.saveRate()).isEqualTo(0.12);
    assertThat(economics.grid()).containsExactly(0.0, 0.1, 0.12, 0.27, 0.5);
  }

  @Test
  void aDirectoryWithoutAnalysisOrManifestIsAOneLineError() throws Exception {
    assertThatThrownBy(() -> SaveRateSource.read(dir.resolve("nothing").toString()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("manifest.json is missing");
    String negative = analysis(SaveRate.newBuilder().setEstimate(-0.1).build());
    assertThatThrownBy(() -> SaveRateSource.read(negative))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("saveRate.estimate");
  }
}
