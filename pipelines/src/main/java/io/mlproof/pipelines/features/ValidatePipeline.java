package io.mlproof.pipelines.features;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import io.mlproof.proto.v1.ValidationReport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * {@code mlproof run validate}: the DAG's validation gate. Reads the statistics a features run
 * saved (not the examples: fast), checks them, and commits {@code validation_report.json} and a
 * readable {@code validation_report.txt}, also when it fails, so people can read why; then fails
 * the task (exit 1) listing every anomaly.
 */
public final class ValidatePipeline implements MlproofPipeline {
  public static final String NAME = "validate";
  public static final String REPORT_JSON = "validation_report.json";
  public static final String REPORT_TEXT = "validation_report.txt";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Validation gate: checks a features run's statistics against the schema and the previous run.";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return ValidateOptions.class;
  }

  @Override
  public void run(String[] args) {
    run(FeaturesPipeline.parse(args, ValidateOptions.class));
  }

  /** Validates, commits the report, and throws {@link RunFailedException} when anomalies exist. */
  public static ValidationReport run(ValidateOptions options) {
    FileSystems.setDefaultPipelineOptions(options);
    Validator.Thresholds limits =
        new Validator.Thresholds(options.getMaxRowCountDrop(), options.getMaxDrift());
    DatasetStatistics current = statistics(options.getInput());
    FeatureSpec schema =
        options.getSchema().isBlank()
            ? FeatureSpecs.fromFeaturesOutput(options.getInput())
            : FeatureSpecs.load(options.getSchema());
    Optional<DatasetStatistics> baseline = baseline(options.getBaseline());
    ValidationReport report = Validator.validate(current, schema, baseline, limits);
    String text =
        ValidationReports.text(
            report, current, baseline, options.getInput(), options.getBaseline(), schema, limits);

    TaskOutput output = TaskOutput.begin(options.getOutput(), TaskOutput.Owner.of(NAME, options));
    try {
      write(output.staging(REPORT_JSON), json(report));
      write(output.staging(REPORT_TEXT), text);
    } catch (IOException | RuntimeException e) {
      output.abort();
      throw new RunFailedException("could not write the validation report: " + e.getMessage(), e);
    }
    output.commit(
        Manifest.newBuilder()
            .setPipeline(NAME)
            .setDagId(options.getDagId())
            .setTaskId(options.getTaskId())
            .setRecordType(ValidationReport.getDescriptor().getFullName())
            .addFiles(
                OutputFile.newBuilder()
                    .setName("report")
                    .setPath(REPORT_JSON)
                    .setRecords(1)
                    .setRecordType(ValidationReport.getDescriptor().getFullName()))
            .addFiles(
                OutputFile.newBuilder().setName("report_text").setPath(REPORT_TEXT).setRecords(1))
            .putCounters("anomalies", report.getAnomaliesCount())
            .putAttributes("input", options.getInput())
            .putAttributes("baseline", baseline.isPresent() ? options.getBaseline() : "")
            .putAttributes("passed", Boolean.toString(report.getPassed()))
            .build());
    if (!report.getPassed()) {
      throw new RunFailedException(
          "validation failed with "
              + report.getAnomaliesCount()
              + " anomal"
              + (report.getAnomaliesCount() == 1 ? "y" : "ies")
              + " (report: "
              + FileSystems.matchNewResource(output.directory(), true)
                  .resolve(REPORT_TEXT, StandardResolveOptions.RESOLVE_FILE)
              + "): "
              + Validator.summary(report));
    }
    return report;
  }

  /** The statistics a complete features output saved. */
  static DatasetStatistics statistics(String featuresOutput) {
    Manifest manifest = TaskOutput.read(featuresOutput);
    if (!manifest.getPipeline().equals(FeaturesPipeline.NAME)) {
      throw new InvalidInputException(
          featuresOutput
              + " is the output of '"
              + manifest.getPipeline()
              + "', not of 'features': point the gate at a features task's output");
    }
    byte[] bytes = TaskOutput.readVerified(featuresOutput, FeaturesPipeline.STATISTICS);
    try {
      return DatasetStatistics.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidInputException(
          "the statistics of "
              + featuresOutput
              + " are corrupt: "
              + e.getMessage()
              + " (re-run the features task)");
    }
  }

  /** The previous run's statistics; absent when no baseline is given or it has no manifest. */
  static Optional<DatasetStatistics> baseline(String dir) {
    if (dir.isBlank()) {
      return Optional.empty();
    }
    try {
      TaskOutput.read(dir);
    } catch (InvalidInputException e) {
      return Optional.empty(); // no complete previous run (e.g. the first run of a DAG)
    }
    return Optional.of(statistics(dir));
  }

  private static String json(ValidationReport report) {
    try {
      return JsonFormat.printer().print(report) + "\n";
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(String file, String content) throws IOException {
    try (WritableByteChannel out =
        FileSystems.create(FileSystems.matchNewResource(file, false), MimeTypes.TEXT)) {
      out.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
    }
  }
}
