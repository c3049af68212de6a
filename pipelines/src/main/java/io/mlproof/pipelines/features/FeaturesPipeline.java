package io.mlproof.pipelines.features;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.ProtoRecords;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.Stage;
import io.mlproof.pipelines.core.StageRun;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.DeadLetter;
import io.mlproof.proto.v1.EntityDay;
import io.mlproof.proto.v1.Example;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * {@code mlproof run features}: entity-days (from {@code extract --recordType=entity_days}) to
 * point-in-time examples for one or more cutoffs, their statistics, and their dead letters.
 *
 * <p>Output files: {@code records} ({@link Example} TFRecords), {@code dead_letter} ({@link
 * DeadLetter}), {@code statistics.pb}/{@code statistics.json} ({@link DatasetStatistics}) and
 * {@code feature_spec.textproto} (the effective spec, label options applied).
 */
public final class FeaturesPipeline implements Stage<FeaturesOptions> {
  public static final String NAME = "features";

  /** Beam metrics namespace of this stage's counters. */
  public static final String METRICS = "features";

  public static final String RECORDS = "records";
  public static final String DEAD_LETTER = "dead_letter";
  public static final String STATISTICS = "statistics";
  public static final String STATISTICS_JSON = "statistics_json";

  /** The manifest attribute naming the steps that run in one process (docs/DESIGN.md). */
  static final String SINGLE_MACHINE_STEPS = "single_machine_steps";

  /** The statistics pass over the staged examples, after the pipeline. */
  static final String STATISTICS_STEP = "ComputeStatistics";

  /** A checked features run: what to compute, independent of where the data comes from. */
  public record Config(List<Integer> cutoffDays, FeatureSpec spec, boolean requireLabels) {
    public Config {
      cutoffDays = List.copyOf(cutoffDays);
    }

    /** Reads and checks the options: cutoffs, spec (with the label options applied). */
    public static Config from(FeaturesOptions options) {
      List<Integer> cutoffs = Cutoffs.from(options);
      FeatureSpec spec =
          FeatureSpecs.withLabel(
              FeatureSpecs.load(options.getFeatureSpec()),
              options.getLabelDefinition(),
              options.getHorizonDays());
      return new Config(cutoffs, spec, options.getRequireLabels());
    }

    public FeaturePlan plan() {
      return FeaturePlan.of(spec);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Point-in-time features and labels per entity and cutoff, with their statistics.";
  }

  @Override
  public Class<FeaturesOptions> optionsType() {
    return FeaturesOptions.class;
  }

  /** Runs the stage and commits its output; returns the committed manifest. */
  public static Manifest run(FeaturesOptions options) {
    return StageRun.execute(new FeaturesPipeline(), options, System.out);
  }

  @Override
  public Plan prepare(FeaturesOptions options) {
    Config config = Config.from(options);
    return new FeaturesPlan(options.getInput(), config, inputPattern(options.getInput()));
  }

  /**
   * The examples and dead letters come from the pipeline; the statistics are computed after it,
   * from the staged examples, in this process ({@link ComputeStatistics} says why), so the manifest
   * names that step in {@code single_machine_steps}.
   */
  private record FeaturesPlan(String input, Config config, String inputPattern) implements Plan {

    @Override
    public void expand(Pipeline pipeline, TaskOutput output) {
      build(pipeline, config, inputPattern, output);
    }

    @Override
    public void finish(
        StageRun.Finished finished, TaskOutput output, Manifest.Builder manifest, PrintStream out) {
      FeatureSpecs.write(config.spec(), output.staging(FeatureSpecs.OUTPUT_FILE));
      DatasetStatistics stats;
      try {
        stats =
            ComputeStatistics.fromExampleFiles(
                output.staging(ProtoRecords.shardGlob(RECORDS)), config.plan());
        refuseEmpty(input, config, stats, finished);
        ComputeStatistics.write(
            stats,
            output.staging(ComputeStatistics.PB_FILE),
            output.staging(ComputeStatistics.JSON_FILE));
      } catch (IOException e) {
        throw new RunFailedException(
            "could not compute the statistics of the staged examples: " + e.getMessage(), e);
      }
      describe(manifest, input, config, stats, finished.counters());
    }
  }

  /**
   * Wires the stage: the entity-day files matching {@code inputPattern} to examples and dead
   * letters under {@code output}'s staging directory. (Statistics are computed from the staged
   * examples after the run.) Each file is one element, read where its rows are folded.
   */
  public static void build(
      Pipeline pipeline, Config config, String inputPattern, TaskOutput output) {
    FeaturePlan plan = config.plan();
    PCollectionTuple computed =
        pipeline
            .apply("MatchEntityDayFiles", FileIO.match().filepattern(inputPattern))
            .apply(
                "ComputeExamples",
                ComputeExamples.ofFiles(plan, config.cutoffDays(), config.requireLabels()));
    computed
        .get(ComputeExamples.EXAMPLES)
        .apply("WriteExamples", ProtoRecords.write(output.staging(RECORDS)));
    computed
        .get(ComputeExamples.DEAD_LETTERS)
        .apply("WriteDeadLetters", ProtoRecords.write(output.staging(DEAD_LETTER)));
  }

  /** The input's entity-day files, checked: complete output, right record type, files present. */
  static String inputPattern(String input) {
    Manifest manifest = TaskOutput.read(input);
    String expected = EntityDay.getDescriptor().getFullName();
    String type =
        manifest.getFilesList().stream()
            .filter(f -> f.getName().equals(RECORDS))
            .map(OutputFile::getRecordType)
            .filter(t -> !t.isEmpty())
            .findFirst()
            .orElse(manifest.getRecordType());
    if (!type.isEmpty() && !type.equals(expected)) {
      throw new InvalidInputException(
          "input "
              + input
              + " holds "
              + type
              + " records, not "
              + expected
              + ": point --input at an extract run with --recordType=entity_days");
    }
    String pattern = TaskOutput.verifiedFilePattern(input, RECORDS);
    try {
      MatchResult match = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
        throw new InvalidInputException(
            "input "
                + input
                + " has no files matching "
                + pattern
                + " although its manifest lists them: re-run the extract task");
      }
    } catch (IOException e) {
      throw new InvalidInputException("cannot list " + pattern + ": " + e.getMessage());
    }
    return pattern;
  }

  /** An empty input or a run without a single example is an error now, not an empty model later. */
  private static void refuseEmpty(
      String input, Config config, DatasetStatistics stats, StageRun.Finished run) {
    Map<String, Long> c = run.counters();
    long read = c.getOrDefault("entity_days_read", 0L);
    if (read == 0) {
      throw new InvalidInputException(
          "input "
              + input
              + " holds no entity-day rows: check the extract's"
              + " date range and warehouse (the features stage needs data)");
    }
    if (stats.getExamples() > 0) {
      return;
    }
    long dead = c.getOrDefault("entity_days_dead_letter", 0L);
    String range = dayRange(run.result());
    throw new InvalidInputException(
        "no examples at cutoffs "
            + dates(config.cutoffDays())
            + ": "
            + read
            + " entity-day rows read, "
            + dead
            + " dead letters"
            + range
            + "; "
            + c.getOrDefault("entities_inactive_in_lookback", 0L)
            + " entity-cutoffs inactive in the lookback, "
            + c.getOrDefault("entities_signed_up_after_cutoff", 0L)
            + " signed up after the cutoff, "
            + c.getOrDefault("examples_label_window_open", 0L)
            + " with the label window still open"
            + (config.requireLabels() ? " (score with --requireLabels=false)" : "")
            + ": choose cutoffs inside the data");
  }

  private static String dayRange(PipelineResult result) {
    for (MetricResult<DistributionResult> d :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(METRICS, "entity_day"))
                    .build())
            .getDistributions()) {
      DistributionResult r = d.getAttempted();
      if (r.getCount() > 0) {
        return ", data covers " + Cutoffs.date(r.getMin()) + ".." + Cutoffs.date(r.getMax());
      }
    }
    return "";
  }

  private static String dates(List<Integer> days) {
    return days.stream().map(Cutoffs::date).collect(Collectors.joining(","));
  }

  /** The stage's part of the manifest (the header and counters are the skeleton's). */
  private static void describe(
      Manifest.Builder manifest,
      String input,
      Config config,
      DatasetStatistics stats,
      Map<String, Long> counters) {
    String example = Example.getDescriptor().getFullName();
    String stat = DatasetStatistics.getDescriptor().getFullName();
    manifest
        .setRecordType(example)
        .addFiles(ProtoRecords.manifestEntry(RECORDS, stats.getExamples(), Example.getDescriptor()))
        .addFiles(
            ProtoRecords.manifestEntry(
                DEAD_LETTER,
                counters.getOrDefault("entity_days_dead_letter", 0L),
                DeadLetter.getDescriptor()))
        .addFiles(file(STATISTICS, ComputeStatistics.PB_FILE, 1, stat))
        .addFiles(file(STATISTICS_JSON, ComputeStatistics.JSON_FILE, 1, stat))
        .addFiles(
            file(
                FeatureSpecs.OUTPUT_NAME,
                FeatureSpecs.OUTPUT_FILE,
                1,
                FeatureSpec.getDescriptor().getFullName()))
        .putAttributes("input", input)
        .putAttributes("feature_spec", config.spec().getName())
        .putAttributes("feature_spec_hash", FeatureSpecs.hash(config.spec()))
        .putAttributes("cutoffs", dates(config.cutoffDays()))
        .putAttributes("label_definition", config.spec().getLabel().getDefinition().name())
        .putAttributes("horizon_days", Integer.toString(config.spec().getLabel().getHorizonDays()))
        .putAttributes("require_labels", Boolean.toString(config.requireLabels()))
        .putAttributes(SINGLE_MACHINE_STEPS, STATISTICS_STEP);
  }

  private static OutputFile file(String name, String path, long records, String type) {
    return OutputFile.newBuilder()
        .setName(name)
        .setPath(path)
        .setRecords(records)
        .setRecordType(type)
        .build();
  }
}
