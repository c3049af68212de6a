package io.mlproof.pipelines.features;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.mlproof.pipelines.core.FileBytes;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.Stage;
import io.mlproof.pipelines.core.StageRun;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import io.mlproof.proto.v1.ValidationReport;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.MimeTypes;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code mlproof run validate}: the DAG's validation gate. Reads the statistics a features run
 * saved (not the examples: fast), checks them, and commits {@code validation_report.json} and a
 * readable {@code validation_report.txt}, also when it fails, so people can read why; then fails
 * the task (exit 1) listing every anomaly.
 */
public final class ValidatePipeline implements Stage<ValidateOptions> {
  public static final String NAME = "validate";
  public static final String REPORT_JSON = "validation_report.json";
  public static final String REPORT_TEXT = "validation_report.txt";

  /** The report files' names in the manifest. */
  static final String REPORT = "report";

  static final String REPORT_TEXT_NAME = "report_text";

  /** Beam metrics namespace and the counter of anomalies found. */
  static final String METRICS = "validate";

  static final String ANOMALIES = "anomalies";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Validation gate: checks a features run's statistics against the schema and the previous run.";
  }

  @Override
  public Class<ValidateOptions> optionsType() {
    return ValidateOptions.class;
  }

  /** Validates, commits the report, and throws {@link RunFailedException} when anomalies exist. */
  public static ValidationReport run(ValidateOptions options) {
    StageRun.execute(new ValidatePipeline(), options, System.out);
    return report(options.getOutput());
  }

  @Override
  public Plan prepare(ValidateOptions options) {
    Validator.Thresholds limits =
        new Validator.Thresholds(options.getMaxRowCountDrop(), options.getMaxDrift());
    DatasetStatistics current = statistics(options.getInput());
    FeatureSpec schema =
        options.getSchema().isBlank()
            ? FeatureSpecs.fromFeaturesOutput(options.getInput())
            : FeatureSpecs.load(options.getSchema());
    Optional<DatasetStatistics> baseline = baseline(options.getBaseline());
    return new ValidatePlan(
        new ReportFn.Inputs(
            current,
            schema,
            baseline.orElse(null),
            limits,
            options.getInput(),
            options.getBaseline()),
        options.getOutput());
  }

  /**
   * A one-element pipeline: the statistics a features run saved go through the checks ({@link
   * ValidateStatistics}) and the report step, which stages both report files.
   */
  private record ValidatePlan(ReportFn.Inputs inputs, String outputDir) implements Plan {

    @Override
    public void expand(Pipeline pipeline, TaskOutput output) {
      pipeline
          .apply(
              "ReadStatistics",
              Create.of(inputs.current()).withCoder(ProtoCoder.of(DatasetStatistics.class)))
          .apply(
              "ValidateStatistics",
              new ValidateStatistics(
                  inputs.schema(), Optional.ofNullable(inputs.baseline()), inputs.limits()))
          .apply(
              "WriteReport",
              ParDo.of(
                  new ReportFn(
                      inputs,
                      new ReportFn.Files(
                          output.staging(REPORT_JSON), output.staging(REPORT_TEXT)))));
    }

    @Override
    public void finish(
        StageRun.Finished finished, TaskOutput output, Manifest.Builder manifest, PrintStream out) {
      ValidationReport report = parse(output.staging(REPORT_JSON));
      manifest
          .setRecordType(ValidationReport.getDescriptor().getFullName())
          .addFiles(
              OutputFile.newBuilder()
                  .setName(REPORT)
                  .setPath(REPORT_JSON)
                  .setRecords(1)
                  .setRecordType(ValidationReport.getDescriptor().getFullName()))
          .addFiles(
              OutputFile.newBuilder().setName(REPORT_TEXT_NAME).setPath(REPORT_TEXT).setRecords(1))
          .putCounters(ANOMALIES, report.getAnomaliesCount())
          .putAttributes("input", inputs.input())
          .putAttributes("baseline", inputs.baseline() != null ? inputs.baselineDir() : "")
          .putAttributes("passed", Boolean.toString(report.getPassed()));
    }

    /** A failed validation stops the DAG here, its report committed for people to read. */
    @Override
    public void committed(Manifest manifest) {
      ValidationReport report = report(outputDir);
      if (!report.getPassed()) {
        throw new RunFailedException(
            "validation failed with "
                + report.getAnomaliesCount()
                + " anomal"
                + (report.getAnomaliesCount() == 1 ? "y" : "ies")
                + " (report: "
                + TaskOutput.filePattern(outputDir, REPORT_TEXT_NAME)
                + "): "
                + Validator.summary(report));
      }
    }
  }

  /** Writes the report as JSON and as text for people; counts its anomalies. */
  static final class ReportFn extends DoFn<ValidationReport, Void> {
    /** What the text report describes besides the report itself. */
    record Inputs(
        DatasetStatistics current,
        FeatureSpec schema,
        @Nullable DatasetStatistics baseline,
        Validator.Thresholds limits,
        String input,
        String baselineDir)
        implements Serializable {}

    /** Where the two report files are staged. */
    record Files(String json, String text) implements Serializable {}

    private final Counter anomalies = Metrics.counter(METRICS, ANOMALIES);
    private final Inputs inputs;
    private final Files files;

    ReportFn(Inputs inputs, Files files) {
      this.inputs = inputs;
      this.files = files;
    }

    @ProcessElement
    public void process(@Element ValidationReport report) throws IOException {
      String text =
          ValidationReports.text(
              report,
              inputs.current(),
              Optional.ofNullable(inputs.baseline()),
              inputs.input(),
              inputs.baselineDir(),
              inputs.schema(),
              inputs.limits());
      write(files.json(), json(report));
      write(files.text(), text);
      anomalies.inc(report.getAnomaliesCount());
    }
  }

  /** The committed report of a validate output. */
  static ValidationReport report(String validateOutput) {
    String file = TaskOutput.filePattern(validateOutput, REPORT);
    return parse(file, TaskOutput.readVerified(validateOutput, REPORT));
  }

  private static ValidationReport parse(String stagedFile) {
    try {
      return parse(stagedFile, FileBytes.read(stagedFile));
    } catch (IOException e) {
      throw new RunFailedException(
          "cannot read the staged report " + stagedFile + ": " + e.getMessage(), e);
    }
  }

  private static ValidationReport parse(String file, byte[] json) {
    ValidationReport.Builder report = ValidationReport.newBuilder();
    try {
      JsonFormat.parser().merge(new String(json, StandardCharsets.UTF_8), report);
    } catch (InvalidProtocolBufferException e) {
      throw new RunFailedException("the report " + file + " is corrupt: " + e.getMessage(), e);
    }
    return report.build();
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
