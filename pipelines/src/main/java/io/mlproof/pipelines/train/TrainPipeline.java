package io.mlproof.pipelines.train;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.OptionsParser;
import io.mlproof.pipelines.core.RunFailedException;
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
import java.util.stream.IntStream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * {@code mlproof run train}: LightGBM on the examples, measured against the status quo, random
 * targeting and a tuned heuristic, saved as a checksummed artifact with its evaluation.
 *
 * <p>Training runs in the driver: LightGBM needs the whole matrix in one process, so the examples
 * are read straight into it (see {@link ExampleReader}); no Beam pipeline would make that cheaper.
 * Rows are split three ways ({@link SplitPlanner}); everything chosen is chosen on the validation
 * rows ({@link SelectOnValidation}); the test rows are scored once, at the end, and the model's
 * lead over the best baseline gets a bootstrap interval. The verdict is reported here under bless's
 * default criteria; {@code bless} decides with its own.
 */
public final class TrainPipeline implements MlproofPipeline {
  /** The heuristic feature of the churn spec that {@code --heuristicFeatures=auto} looks for. */
  public static final String RECENCY_FEATURE = "days_since_last_purchase";

  public static final String EVALUATION_JSON = "evaluation.json";
  public static final String PREDICTIONS_CSV = "predictions.csv";

  @Override
  public String name() {
    return "train";
  }

  @Override
  public String description() {
    return "Train LightGBM on examples (features output or any labelled table), evaluate it against"
        + " the status quo, random targeting and a tuned heuristic, and save the model.";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return TrainOptions.class;
  }

  @Override
  public void run(String[] args) {
    run(OptionsParser.parse(name(), args, TrainOptions.class), System.out);
  }

  /** What a finished training run produced. */
  public record Result(ModelMetadata metadata, Manifest manifest, String outputDir) {}

  /** Trains, evaluates, writes and commits the output; prints the report to {@code out}. */
  public static Result run(TrainOptions options, PrintStream out) {
    FileSystems.setDefaultPipelineOptions(options);
    TrainingParameters parameters = parameters(options);
    Evaluator evaluator =
        new Evaluator(
            options.getOperatingPoint(),
            options.getTopFraction(),
            BlessCriteria.DEFAULT,
            bootstrap(options));
    Source source = source(options);
    TaskOutput output =
        TaskOutput.begin(options.getOutput(), TaskOutput.Owner.of("train", options));
    try {
      StageClock clock = new StageClock();
      TrainingData data = source.load();
      clock.lap("read_examples");
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
      List<OutputFile> files = new ArrayList<>(artifact.writeTo(output));
      files.add(writeText(output, "evaluation", EVALUATION_JSON, ModelArtifact.json(evaluation)));
      files.add(
          writeText(
              output, "predictions", PREDICTIONS_CSV, predictionsCsv(data.test(), testScores)));
      files.add(writeTestRows(output, data.test()));
      if (!options.getEvaluationJson().isEmpty()) {
        ModelArtifact.write(
            options.getEvaluationJson(),
            ModelArtifact.json(evaluation).getBytes(StandardCharsets.UTF_8),
            MimeTypes.TEXT);
      }
      clock.lap("write_output");

      Map<String, Long> counters = new TreeMap<>(data.counters());
      counters.put("iterations_run", (long) selected.trained().iterationsRun());
      counters.put("best_iteration", (long) trained.bestIteration());
      Manifest manifest =
          output.commit(
              Manifest.newBuilder()
                  .setPipeline("train")
                  .setTaskId(options.getTaskId())
                  .setDagId(options.getDagId())
                  .setLogicalDate(options.getLogicalDate() == null ? "" : options.getLogicalDate())
                  .addAllFiles(files)
                  .putAllCounters(counters)
                  .setRunner("driver")
                  .putAttributes("model_id", artifact.id())
                  .putAttributes("examples", source.describe())
                  .putAttributes("split", data.split())
                  .putAttributes(
                      "blessable", Boolean.toString(evaluation.getVerdict().getBlessed()))
                  .putAllAttributes(clock.attributes())
                  .build());
      print(out, options.getReport(), evaluation, artifact, data, output.directory());
      return new Result(artifact.metadata(), manifest, output.directory());
    } catch (RuntimeException e) {
      output.abort();
      throw e;
    }
  }

  /** Where the examples come from. */
  interface Source {
    TrainingData load();

    String describe();
  }

  static Source source(TrainOptions options) {
    return source(options, null);
  }

  /** {@code warehouse} answers {@code --examplesQuery}; null means the {@code --warehouse}. */
  static Source source(TrainOptions options, Warehouse warehouse) {
    boolean features = !options.getExamples().isEmpty();
    boolean query = !options.getExamplesQuery().isEmpty();
    if (features == query) {
      throw new InvalidInputException(
          "give exactly one of --examples (a features output) or --examplesQuery (a labelled table)");
    }
    if (features) {
      String dir = options.getExamples();
      return new Source() {
        @Override
        public TrainingData load() {
          FeatureSpec spec =
              options.getFeatureSpec().isEmpty()
                  ? FeatureSpecs.fromFeaturesOutput(dir)
                  : FeatureSpecs.read(options.getFeatureSpec());
          return SplitPlanner.byTime(
              ExampleReader.readExamples(dir, spec), options.getPurgeLabelOverlap());
        }

        @Override
        public String describe() {
          return dir;
        }
      };
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
    Warehouse reader = warehouse != null ? warehouse : Warehouse.from(options);
    RenderedSql sql = new RenderedSql("--examplesQuery", options.getExamplesQuery(), Set.of());
    return new Source() {
      @Override
      public TrainingData load() {
        return ExamplesTable.load(
            reader.queryTable(sql),
            columns,
            options.getTestFraction(),
            options.getValidationFraction(),
            options.getSeed());
      }

      @Override
      public String describe() {
        return "query on " + options.getWarehouse();
      }
    };
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

  static OutputFile writeText(TaskOutput output, String name, String file, String text) {
    ModelArtifact.write(
        output.staging(file), text.getBytes(StandardCharsets.UTF_8), MimeTypes.TEXT);
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
  static OutputFile writeTestRows(TaskOutput output, ExampleMatrix m) {
    String file = ModelArtifact.TEST_ROWS + "-00000-of-00001.tfrecord";
    try (TfRecordFiles.Writer writer = new TfRecordFiles.Writer(output.staging(file))) {
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
          .setPath(file)
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
      EvaluationResult evaluation,
      ModelArtifact model,
      TrainingData data,
      String dir) {
    if (format == ReportFormat.JSON) {
      out.print(ModelArtifact.json(evaluation));
      return;
    }
    out.print(
        EvaluationReport.table(
            evaluation,
            "model "
                + model.id()
                + " ("
                + model.metadata().getBestIteration()
                + " iterations), "
                + data.split()));
    out.println("saved to " + dir);
  }
}
