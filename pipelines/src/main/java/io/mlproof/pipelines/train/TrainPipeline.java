package io.mlproof.pipelines.train;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.mlproof.pipelines.core.FileBytes;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.Stage;
import io.mlproof.pipelines.core.StageRun;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.evaluate.BlessCriteria;
import io.mlproof.pipelines.evaluate.EvaluationReport;
import io.mlproof.pipelines.evaluate.Evaluator;
import io.mlproof.pipelines.evaluate.Numbers;
import io.mlproof.pipelines.evaluate.PairedBootstrap;
import io.mlproof.pipelines.evaluate.ThresholdRule;
import io.mlproof.pipelines.features.FeatureSpecs;
import io.mlproof.pipelines.model.CsvFields;
import io.mlproof.pipelines.model.ExampleMatrix;
import io.mlproof.pipelines.model.ExampleReader;
import io.mlproof.pipelines.model.LightGbmTrainer;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.pipelines.model.SelectOnValidation;
import io.mlproof.pipelines.model.SplitPlanner;
import io.mlproof.pipelines.model.TrainingData;
import io.mlproof.pipelines.model.TrainingParameters;
import io.mlproof.pipelines.sql.RenderedSql;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.EvaluationResult;
import io.mlproof.proto.v1.Example;
import io.mlproof.proto.v1.FeatureImportance;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.FeatureType;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.ModelMetadata;
import io.mlproof.proto.v1.OutputFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TFRecordIO;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code mlproof run train}: LightGBM on the examples, measured against the status quo, random
 * targeting and a tuned heuristic, saved as a checksummed artifact with its evaluation.
 *
 * <p>The TFX Trainer shape: the pipeline reads the example records ({@code ReadExamples}), gathers
 * them on one worker ({@code GatherExamples}: a GroupByKey on a single key), and one step ({@code
 * FitAndEvaluate}) assembles the matrix, splits it and fits LightGBM there. LightGBM needs the
 * whole matrix in one process, so the gathering and the fit are inherently single-machine; the
 * manifest says so ({@code single_machine_steps}). The matrix is sorted by (cutoff, entity) before
 * the split ({@link SplitPlanner}), so the order in which the runner delivers the records cannot
 * change the model. Rows are split three ways; everything chosen is chosen on the validation rows
 * ({@link SelectOnValidation}); the test rows are scored once, at the end, and the model's lead
 * over the best baseline gets a bootstrap interval. The verdict is reported here under bless's
 * default criteria; {@code bless} decides with its own. With {@code --examplesQuery} the fit step
 * reads the warehouse table itself (one query, on the same worker).
 */
public final class TrainPipeline implements Stage<TrainOptions> {
  public static final String NAME = "train";

  /** The heuristic feature of the churn spec that {@code --heuristicFeatures=auto} looks for. */
  public static final String RECENCY_FEATURE = "days_since_last_purchase";

  public static final String EVALUATION_JSON = "evaluation.json";
  public static final String PREDICTIONS_CSV = "predictions.csv";

  /** The steps that run on one worker, named in the manifest (attribute below). */
  public static final String SINGLE_MACHINE_STEPS = "GatherExamples,FitAndEvaluate";

  public static final String SINGLE_MACHINE_ATTRIBUTE = "single_machine_steps";

  static final String TEST_FILE = ModelArtifact.TEST_ROWS + "-00000-of-00001.tfrecord";

  /**
   * The fit step's part of the manifest (files, counters, attributes), staged for {@link
   * TrainPlan#finish}, which reads and removes it: the worker that fits may not be this JVM.
   */
  static final String SUMMARY = "train-summary.pb";

  private static final String EXAMPLES = "records";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Train LightGBM on examples (features output or any labelled table), evaluate it against"
        + " the status quo, random targeting and a tuned heuristic, and save the model.";
  }

  @Override
  public Class<TrainOptions> optionsType() {
    return TrainOptions.class;
  }

  /** What a finished training run produced. */
  public record Result(ModelMetadata metadata, Manifest manifest, String outputDir) {}

  /** Trains, evaluates, writes and commits the output; prints the report to {@code out}. */
  public static Result run(TrainOptions options, PrintStream out) {
    Manifest manifest = StageRun.execute(new TrainPipeline(), options, out);
    return new Result(
        ModelArtifact.load(options.getOutput()).metadata(), manifest, options.getOutput());
  }

  @Override
  public Plan prepare(TrainOptions options) {
    parameters(options);
    bootstrap(options);
    source(options); // exactly one source, and the columns a query needs
    if (options.getExamples().isEmpty()) {
      return new TrainPlan(options, null, 0, null);
    }
    String dir = options.getExamples();
    FeatureSpec spec = featureSpec(options);
    heuristicCandidates(spec, options.getHeuristicFeatures());
    String pattern = TaskOutput.verifiedFilePattern(dir, EXAMPLES);
    long expected =
        TaskOutput.read(dir).getFilesList().stream()
            .filter(f -> f.getName().equals(EXAMPLES))
            .mapToLong(OutputFile::getRecords)
            .sum();
    return new TrainPlan(options, pattern, expected, spec);
  }

  private static FeatureSpec featureSpec(TrainOptions options) {
    return options.getFeatureSpec().isEmpty()
        ? FeatureSpecs.fromFeaturesOutput(options.getExamples())
        : FeatureSpecs.read(options.getFeatureSpec());
  }

  /**
   * {@code examples} is the verified pattern of the features output's records, or null when the fit
   * step queries the warehouse ({@code --examplesQuery}).
   */
  private record TrainPlan(
      TrainOptions options, String examples, long expectedExamples, FeatureSpec spec)
      implements Plan {

    @Override
    public void expand(Pipeline pipeline, TaskOutput output) {
      Map<String, String> staged = new TreeMap<>();
      for (String file :
          List.of(
              ModelArtifact.MODEL_FILE,
              ModelArtifact.METADATA_FILE,
              ModelArtifact.METADATA_JSON,
              EVALUATION_JSON,
              PREDICTIONS_CSV,
              TEST_FILE,
              SUMMARY)) {
        staged.put(file, output.staging(file));
      }
      KvCoder<Integer, Iterable<byte[]>> gatheredCoder =
          KvCoder.of(VarIntCoder.of(), IterableCoder.of(ByteArrayCoder.of()));
      PCollection<KV<Integer, Iterable<byte[]>>> gathered;
      if (examples == null) {
        gathered =
            pipeline.apply(
                "NoRecordsTheFitQueries",
                Create.of(KV.of(0, (Iterable<byte[]>) List.<byte[]>of())).withCoder(gatheredCoder));
      } else {
        gathered =
            pipeline
                .apply("ReadExamples", TFRecordIO.read().from(examples))
                .apply(
                    "OneKey",
                    WithKeys.<Integer, byte[]>of(0).withKeyType(TypeDescriptors.integers()))
                .setCoder(KvCoder.of(VarIntCoder.of(), ByteArrayCoder.of()))
                .apply("GatherExamples", GroupByKey.create());
      }
      gathered.apply(
          "FitAndEvaluate", ParDo.of(new FitFn(examples, expectedExamples, spec, staged)));
    }

    @Override
    public void finish(
        StageRun.Finished finished, TaskOutput output, Manifest.Builder manifest, PrintStream out) {
      String stagedSummary = output.staging(SUMMARY);
      Manifest summary;
      ModelMetadata metadata;
      byte[] evaluationJson;
      try {
        if (FileSystems.match(stagedSummary).status() != MatchResult.Status.OK) {
          // No record reached the fit: the split refuses an empty set with its usual message.
          SplitPlanner.byTime(
              ExampleReader.read(List.of(), spec, 0, examples), options.getPurgeLabelOverlap());
        }
        summary = Manifest.parseFrom(FileBytes.read(stagedSummary));
        metadata =
            ModelMetadata.parseFrom(FileBytes.read(output.staging(ModelArtifact.METADATA_FILE)));
        evaluationJson = FileBytes.read(output.staging(EVALUATION_JSON));
        FileSystems.delete(List.of(FileSystems.matchNewResource(stagedSummary, false)));
      } catch (IOException e) {
        throw new RunFailedException(
            "cannot read what the fit step staged in " + output.directory() + ": " + e.getMessage(),
            e);
      }
      manifest
          .addAllFiles(summary.getFilesList())
          .putAllCounters(summary.getCountersMap())
          .putAllAttributes(summary.getAttributesMap())
          .putAttributes(SINGLE_MACHINE_ATTRIBUTE, SINGLE_MACHINE_STEPS);
      if (!options.getEvaluationJson().isEmpty()) {
        ModelArtifact.write(options.getEvaluationJson(), evaluationJson, MimeTypes.TEXT);
      }
      print(
          out,
          options.getReport(),
          metadata,
          evaluationJson,
          summary.getAttributesOrThrow("split"),
          output.directory());
    }
  }

  /**
   * The one step on one worker: decodes the gathered records into the matrix (or queries the
   * warehouse), splits, fits, evaluates, and stages the files and the summary for finish.
   */
  static final class FitFn extends DoFn<KV<Integer, Iterable<byte[]>>, Void> {
    private final String examples;
    private final long expectedExamples;
    private final FeatureSpec spec;
    private final Map<String, String> staged;

    FitFn(String examples, long expectedExamples, FeatureSpec spec, Map<String, String> staged) {
      this.examples = examples;
      this.expectedExamples = expectedExamples;
      this.spec = spec;
      this.staged = staged;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<byte[]>> gathered, PipelineOptions options) {
      TrainOptions train = options.as(TrainOptions.class);
      StageClock clock = new StageClock();
      TrainingData data =
          examples == null
              ? source(train).load()
              : SplitPlanner.byTime(
                  ExampleReader.read(gathered.getValue(), spec, expectedExamples, examples),
                  train.getPurgeLabelOverlap());
      clock.lap("read_examples");
      Manifest summary = fit(train, data, clock, staged::get);
      ModelArtifact.write(staged.get(SUMMARY), summary.toByteArray(), MimeTypes.BINARY);
    }
  }

  /**
   * Selects on validation, fits, scores the test rows once, evaluates, and writes the files where
   * {@code staging} maps their names; returns the stage's part of the manifest.
   */
  static Manifest fit(
      TrainOptions options, TrainingData data, StageClock clock, UnaryOperator<String> staging) {
    TrainingParameters parameters = parameters(options);
    Evaluator evaluator =
        new Evaluator(
            options.getOperatingPoint(),
            options.getTopFraction(),
            BlessCriteria.DEFAULT,
            bootstrap(options));
    FeatureSpec spec = data.train().spec();
    List<ThresholdRule.Candidate> candidates =
        heuristicCandidates(spec, options.getHeuristicFeatures());
    String inputSha = data.inputSha256();
    clock.lap("hash_input");

    SelectOnValidation.Selected selected =
        SelectOnValidation.select(
            data.train(), data.validation(), parameters, candidates, options.getOperatingPoint());
    LightGbmTrainer.Result trained = selected.trained();
    clock.record("dataset", trained.datasetNanos());
    clock.record("boosting", trained.boostingNanos());
    ExampleMatrix learned = data.train();
    if (options.getRefit()) {
      // The round count was chosen on validation; the final model learns from train + validation.
      learned = data.train().concat(data.validation());
      trained = LightGbmTrainer.refit(learned, selected.parameters(), trained.bestIteration());
      clock.record("refit", trained.datasetNanos() + trained.boostingNanos());
    }
    clock.lap("training_other");

    String modelSha = ModelArtifact.sha256(trained.modelText());
    ModelMetadata.Builder metadata =
        ModelMetadata.newBuilder()
            .setModelId(ModelArtifact.modelId(spec, modelSha))
            .setModelFile(ModelArtifact.MODEL_FILE)
            .setModelSha256(modelSha)
            .setFeatureSpec(spec)
            .setFeatureSpecHash(data.train().specHash())
            .putAllParameters(
                selected.parameters().recorded(ExampleReader.categoricalColumns(spec)))
            .setTrainStartDay(IntStream.of(learned.cutoffDays()).min().orElse(0))
            .setTrainEndDay(IntStream.of(learned.cutoffDays()).max().orElse(0))
            .setValidationCutoffDay(data.validationCutoffDay())
            .setTestCutoffDay(data.testCutoffDay())
            .setInputDataSha256(inputSha)
            .setBestIteration(trained.bestIteration());
    ModelArtifact model = ModelArtifact.of(metadata.build(), trained.modelText());
    // The test rows are read here, once, after everything was chosen.
    double[] testScores = model.predict(data.test(), parameters.numThreads());
    clock.lap("predict_test");

    EvaluationResult evaluation =
        evaluator.evaluate(
            new Evaluator.Inputs(
                data.test().labeled(),
                testScores,
                selected.modelThreshold(),
                selected.heuristic(),
                selected.baseRate(),
                importance(spec, trained.gains()),
                selected.toProto().toBuilder().setRefit(options.getRefit()).build()));
    clock.lap("evaluate");

    ModelArtifact artifact =
        ModelArtifact.of(
            metadata
                .setEvaluation(evaluation)
                .setCreatedAtMicros(System.currentTimeMillis() * 1000)
                .build(),
            trained.modelText());
    List<OutputFile> files = new ArrayList<>(artifact.writeTo(staging));
    files.add(writeText(staging, "evaluation", EVALUATION_JSON, ModelArtifact.json(evaluation)));
    files.add(
        writeText(
            staging, "predictions", PREDICTIONS_CSV, predictionsCsv(data.test(), testScores)));
    files.add(writeTestRows(staging.apply(TEST_FILE), data.test()));
    clock.lap("write_output");

    Map<String, Long> counters = new TreeMap<>(data.counters());
    counters.put("iterations_run", (long) selected.trained().iterationsRun());
    counters.put("best_iteration", (long) trained.bestIteration());
    return Manifest.newBuilder()
        .addAllFiles(files)
        .putAllCounters(counters)
        .putAttributes("model_id", artifact.id())
        .putAttributes("examples", describe(options))
        .putAttributes("split", data.split())
        .putAttributes("blessable", Boolean.toString(evaluation.getVerdict().getBlessed()))
        .putAllAttributes(clock.attributes())
        .build();
  }

  /** Where the examples come from. */
  interface Source {
    TrainingData load();
  }

  /** Checks the source options; the features source is read by the pipeline, not through this. */
  static Source source(TrainOptions options) {
    boolean features = !options.getExamples().isEmpty();
    boolean query = !options.getExamplesQuery().isEmpty();
    if (features == query) {
      throw new InvalidInputException(
          "give exactly one of --examples (a features output) or --examplesQuery (a labelled table)");
    }
    if (features) {
      return () ->
          SplitPlanner.byTime(
              ExampleReader.readExamples(options.getExamples(), featureSpec(options)),
              options.getPurgeLabelOverlap());
    }
    ExamplesTable.Columns columns =
        new ExamplesTable.Columns(
            options.getIdColumn(),
            options.getLabelColumn(),
            options.getPositiveLabel(),
            options.getSplitColumn());
    for (String[] required :
        new String[][] {
          {"--idColumn", columns.id()},
          {"--labelColumn", columns.label()},
          {"--positiveLabel", columns.positiveLabel()}
        }) {
      if (required[1].isEmpty()) {
        throw new InvalidInputException(required[0] + " is required with --examplesQuery");
      }
    }
    Warehouse reader = Warehouse.from(options);
    RenderedSql sql = new RenderedSql("--examplesQuery", options.getExamplesQuery(), Set.of());
    return () ->
        ExamplesTable.load(
            reader.queryTable(sql),
            columns,
            options.getTestFraction(),
            options.getValidationFraction(),
            options.getSeed());
  }

  static String describe(TrainOptions options) {
    return options.getExamples().isEmpty()
        ? "query on " + options.getWarehouse()
        : options.getExamples();
  }

  public static PairedBootstrap bootstrap(TrainOptions o) {
    if (o.getBootstrapResamples() < PairedBootstrap.MIN_RESAMPLES) {
      throw new InvalidInputException(
          "--bootstrapResamples must be at least "
              + PairedBootstrap.MIN_RESAMPLES
              + " for a stable 95% interval, got "
              + o.getBootstrapResamples());
    }
    return new PairedBootstrap(o.getBootstrapResamples(), o.getSeed());
  }

  public static TrainingParameters parameters(TrainOptions o) {
    return new TrainingParameters(
        o.getNumIterations(),
        o.getLearningRate(),
        o.getNumLeaves(),
        o.getMinDataInLeaf(),
        o.getEarlyStoppingRounds(),
        o.getSeed(),
        o.getNumThreads(),
        o.getClassWeighting(),
        o.getScalePosWeight(),
        lightgbmParams(o.getParams()));
  }

  /** The {@code lightgbm} object of the DAG params, as LightGBM parameter strings. */
  static Map<String, String> lightgbmParams(String paramsJson) {
    Struct.Builder params = Struct.newBuilder();
    try {
      JsonFormat.parser()
          .merge(paramsJson == null || paramsJson.isBlank() ? "{}" : paramsJson, params);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidInputException("--params is not a JSON object: " + e.getMessage());
    }
    Value lightgbm = params.getFieldsMap().get("lightgbm");
    Map<String, String> out = new TreeMap<>();
    if (lightgbm == null) {
      return out;
    }
    if (!lightgbm.hasStructValue()) {
      throw new InvalidInputException(
          "params.lightgbm must be a JSON object of LightGBM parameters");
    }
    lightgbm
        .getStructValue()
        .getFieldsMap()
        .forEach(
            (key, value) ->
                out.put(
                    key,
                    switch (value.getKindCase()) {
                      case NUMBER_VALUE -> Numbers.plain(value.getNumberValue());
                      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
                      case STRING_VALUE -> value.getStringValue();
                      default ->
                          throw new InvalidInputException(
                              "params.lightgbm." + key + " must be a number, boolean or string");
                    }));
    return out;
  }

  public static List<ThresholdRule.Candidate> heuristicCandidates(FeatureSpec spec, String option) {
    List<ThresholdRule.Candidate> numeric = new ArrayList<>();
    for (int i = 0; i < spec.getFeaturesCount(); i++) {
      if (spec.getFeatures(i).getType() == FeatureType.NUMERIC) {
        numeric.add(new ThresholdRule.Candidate(i, spec.getFeatures(i).getName()));
      }
    }
    String value = option.trim();
    if (value.equals("auto")) {
      List<ThresholdRule.Candidate> recency =
          numeric.stream().filter(c -> c.feature().equals(RECENCY_FEATURE)).toList();
      value = recency.isEmpty() ? "all" : RECENCY_FEATURE;
    }
    if (value.equals("all")) {
      if (numeric.isEmpty()) {
        throw new InvalidInputException(
            "the feature spec has no numeric feature for the heuristic baseline");
      }
      return numeric;
    }
    List<ThresholdRule.Candidate> chosen = new ArrayList<>();
    for (String name : value.split(",")) {
      ThresholdRule.Candidate c =
          numeric.stream()
              .filter(x -> x.feature().equals(name.trim()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          "--heuristicFeatures names '"
                              + name.trim()
                              + "', which is not a numeric feature of the spec"
                              + " (numeric features: "
                              + numeric.stream().map(ThresholdRule.Candidate::feature).toList()
                              + ")"));
      chosen.add(c);
    }
    return chosen;
  }

  static List<FeatureImportance> importance(FeatureSpec spec, double[] gains) {
    List<FeatureImportance> out = new ArrayList<>();
    for (int i = 0; i < gains.length; i++) {
      out.add(
          FeatureImportance.newBuilder()
              .setFeature(spec.getFeatures(i).getName())
              .setGain(gains[i])
              .build());
    }
    return out;
  }

  static OutputFile writeText(
      UnaryOperator<String> staging, String name, String file, String text) {
    ModelArtifact.write(staging.apply(file), text.getBytes(StandardCharsets.UTF_8), MimeTypes.TEXT);
    return OutputFile.newBuilder().setName(name).setPath(file).build();
  }

  static String predictionsCsv(ExampleMatrix m, double[] scores) {
    StringBuilder csv = new StringBuilder("entity_id,cutoff_day,label,score\n");
    for (int r = 0; r < m.rows(); r++) {
      csv.append(CsvFields.field(m.entityIds()[r]))
          .append(',')
          .append(m.cutoffDays()[r])
          .append(',')
          .append(m.labels()[r] ? 1 : 0)
          .append(',')
          .append(scores[r])
          .append('\n');
    }
    return csv.toString();
  }

  /** The test rows as Example records, so bless can score a previous model on them. */
  static OutputFile writeTestRows(String path, ExampleMatrix m) {
    try (TfRecordFiles.Writer writer = new TfRecordFiles.Writer(path)) {
      for (int r = 0; r < m.rows(); r++) {
        Example.Builder e =
            Example.newBuilder()
                .setEntityId(m.entityIds()[r])
                .setCutoffDay(m.cutoffDays()[r])
                .setHasLabel(true)
                .setLabel(m.labels()[r])
                .setFeatureSpecHash(m.specHash());
        for (int c = 0, base = r * m.columns(); c < m.columns(); c++) {
          e.addFeatures(m.values()[base + c]);
        }
        writer.write(e.build().toByteArray());
      }
      return OutputFile.newBuilder()
          .setName(ModelArtifact.TEST_ROWS)
          .setPath(TEST_FILE)
          .setRecords(writer.records())
          .setRecordType(Example.getDescriptor().getFullName())
          .build();
    } catch (IOException e) {
      throw new RunFailedException("cannot write the test examples: " + e.getMessage(), e);
    }
  }

  private static void print(
      PrintStream out,
      ReportFormat format,
      ModelMetadata model,
      byte[] evaluationJson,
      String split,
      String dir) {
    if (format == ReportFormat.JSON) {
      out.print(new String(evaluationJson, StandardCharsets.UTF_8));
      return;
    }
    out.print(
        EvaluationReport.table(
            model.getEvaluation(),
            "model "
                + model.getModelId()
                + " ("
                + model.getBestIteration()
                + " iterations), "
                + split));
    out.println("saved to " + dir);
  }
}
