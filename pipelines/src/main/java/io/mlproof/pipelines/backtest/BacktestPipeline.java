package io.mlproof.pipelines.backtest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.OptionsParser;
import io.mlproof.pipelines.core.ProtoRecords;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.StageRun;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.features.Cutoffs;
import io.mlproof.pipelines.features.FeatureSpecs;
import io.mlproof.pipelines.model.ExampleBuffer;
import io.mlproof.pipelines.model.ExampleReader;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.pipelines.train.ReportFormat;
import io.mlproof.pipelines.train.TrainPipeline;
import io.mlproof.proto.v1.BacktestResult;
import io.mlproof.proto.v1.CampaignSettings;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.FeatureType;
import io.mlproof.proto.v1.FoldOutcome;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code mlproof run backtest}: a walk-forward backtest in business terms over the stacked cutoffs
 * of a features output. Each fold (a cutoff X) trains on the examples whose label windows end at or
 * before X and is measured on the entities eligible at X against (X, X + horizon]; the folds run in
 * parallel, keyed by fold, in one Beam pipeline. The driver then aggregates them and writes {@value
 * #JSON} (and the same as {@value #PROTO}, a {@code BacktestResult}).
 */
public final class BacktestPipeline implements MlproofPipeline {
  public static final String JSON = "backtest.json";
  public static final String PROTO = "backtest.pb";
  public static final String FOLDS = "folds";
  static final String CAVEAT =
      "The save rate is an assumption: the history holds no campaign, so it cannot"
          + " say how many contacted customers would have stayed; read the net value across the save-rate grid"
          + " and the break-even save rate, and measure the save rate with an A/B test (--saveRateFrom).";

  @Override
  public String name() {
    return "backtest";
  }

  @Override
  public String description() {
    return "Walk-forward backtest in business terms: per fold, train on the past, target the entities at the"
        + " fold's cutoff, and count customers retained and net value for the model, the heuristic, random"
        + " targeting, the status quo and the oracle.";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return BacktestOptions.class;
  }

  @Override
  public void run(String[] args) {
    run(OptionsParser.parse(name(), args, BacktestOptions.class), System.out);
  }

  /**
   * Plans, runs the folds, aggregates, writes and commits; prints the table (or JSON) to {@code
   * out}.
   */
  public static BacktestResult run(BacktestOptions options, PrintStream out) {
    FileSystems.setDefaultPipelineOptions(options);
    if (!options.getExamplesQuery().isEmpty() || options.getExamples().isEmpty()) {
      throw new InvalidInputException(
          "the backtest needs --examples, a features output with stacked cutoffs"
              + " (--examplesQuery has no time axis to walk forward on)");
    }
    String examples = options.getExamples();
    Manifest features = TaskOutput.read(examples);
    FeatureSpec spec = spec(options);
    int horizon = spec.getLabel().getHorizonDays();
    List<Integer> cutoffs = cutoffs(features, examples);
    FoldPlan plan =
        FoldPlan.of(
            cutoffs,
            horizon,
            options.getFirstFold(),
            options.getFoldEveryDays(),
            options.getFolds(),
            options.getMinTrainingCutoffs());
    TrainPipeline.parameters(options); // refuses bad LightGBM parameters before anything runs
    TrainPipeline.bootstrap(options); // and too few --bootstrapResamples (train's rule)
    valueColumn(spec, options.getValueFeature()); // and an unknown value feature
    TrainPipeline.heuristicCandidates(spec, options.getHeuristicFeatures());
    SaveRateSource measured =
        options.getSaveRateFrom().isEmpty() ? null : SaveRateSource.read(options.getSaveRateFrom());
    Economics economics = economics(options, measured);

    TaskOutput output =
        TaskOutput.begin(options.getOutput(), TaskOutput.Owner.of("backtest", options));
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("FoldCutoffs", Create.of(plan.foldDays()))
        .apply("RunFolds", new RunFolds(new FoldInputs(examples, spec, economics)))
        .apply("WriteFolds", ProtoRecords.write(output.staging(FOLDS)));
    try {
      StageRun.Finished finished = StageRun.run(pipeline);
      List<FoldOutcome> folds = readFolds(output.staging(FOLDS));
      List<FoldOutcome> complete = folds.stream().filter(f -> f.getFold().getComplete()).toList();
      if (complete.isEmpty()) {
        throw new RunFailedException(
            "none of the "
                + folds.size()
                + " folds is complete ("
                + folds.get(0).getFold().getIncompleteReason()
                + "): move --firstFold back by the label horizon");
      }
      BacktestResult result =
          BacktestResult.newBuilder()
              .setHorizonDays(horizon)
              .addAllFolds(folds.stream().map(FoldOutcome::getFold).toList())
              .setAggregate(economics.aggregate(complete, folds.size() - complete.size()))
              .setCampaign(settings(options, economics))
              .setSaveRateSource(
                  measured == null
                      ? "assumed: --saveRate"
                      : "measured by the A/B analysis "
                          + measured.where()
                          + (measured.definition().isEmpty() ? "" : ": " + measured.definition()))
              .setCaveat(CAVEAT)
              .build();
      List<OutputFile> files = new ArrayList<>();
      files.add(
          OutputFile.newBuilder()
              .setName(FOLDS)
              .setPath(ProtoRecords.shardGlob(FOLDS))
              .setRecords(folds.size())
              .setRecordType(FoldOutcome.getDescriptor().getFullName())
              .build());
      ModelArtifact.write(
          output.staging(JSON), json(result).getBytes(StandardCharsets.UTF_8), MimeTypes.TEXT);
      files.add(OutputFile.newBuilder().setName("backtest").setPath(JSON).build());
      ModelArtifact.write(output.staging(PROTO), result.toByteArray(), MimeTypes.BINARY);
      files.add(
          OutputFile.newBuilder()
              .setName("backtest_proto")
              .setPath(PROTO)
              .setRecordType(BacktestResult.getDescriptor().getFullName())
              .build());
      output.commit(
          Manifest.newBuilder()
              .setPipeline("backtest")
              .setTaskId(options.getTaskId())
              .setDagId(options.getDagId())
              .setLogicalDate(options.getLogicalDate() == null ? "" : options.getLogicalDate())
              .addAllFiles(files)
              .putAllCounters(finished.counters())
              .putCounters("folds_complete", complete.size())
              .putCounters("folds_incomplete", folds.size() - complete.size())
              .setRunner(options.getRunner().getSimpleName())
              .putAttributes("examples", examples)
              .putAttributes("folds", FoldPlan.dates(plan.foldDays()))
              .build());
      if (options.getReport() == ReportFormat.JSON) {
        out.print(json(result));
      } else {
        out.print(BacktestReport.table(result));
        out.println("saved to " + output.directory());
      }
      return result;
    } catch (RuntimeException e) {
      output.abort();
      throw e;
    }
  }

  /** What every fold reads: the features output and its spec, and the campaign. */
  record FoldInputs(String examples, FeatureSpec spec, Economics economics)
      implements java.io.Serializable {}

  /** Runs every fold, keyed by its cutoff day so the runner spreads the folds over its workers. */
  static final class RunFolds extends PTransform<PCollection<Integer>, PCollection<FoldOutcome>> {
    private static final long serialVersionUID = 1L;
    private final FoldInputs inputs;

    RunFolds(FoldInputs inputs) {
      this.inputs = inputs;
    }

    @Override
    public PCollection<FoldOutcome> expand(PCollection<Integer> foldDays) {
      return foldDays
          .apply(
              "KeyByFold",
              WithKeys.<Integer, Integer>of(day -> day).withKeyType(TypeDescriptors.integers()))
          .apply("SpreadFolds", Reshuffle.of())
          .apply("FoldDays", Values.create())
          .apply("TrainAndMeasure", ParDo.of(new RunFoldFn(inputs)))
          .setCoder(ProtoCoder.of(FoldOutcome.class));
    }
  }

  /**
   * One fold: reads the examples (each worker on its own: a fold needs every older cutoff), trains,
   * measures.
   */
  static final class RunFoldFn extends DoFn<Integer, FoldOutcome> {
    private static final long serialVersionUID = 1L;
    private final FoldInputs in;

    RunFoldFn(FoldInputs inputs) {
      this.in = inputs;
    }

    @ProcessElement
    public void process(
        @Element Integer foldDay,
        OutputReceiver<FoldOutcome> out,
        PipelineOptions pipelineOptions) {
      BacktestOptions options = pipelineOptions.as(BacktestOptions.class);
      // Checked against the record count of the features manifest.
      ExampleBuffer buffer = ExampleReader.readExamples(in.examples(), in.spec());
      out.output(fold(options, in.spec(), in.economics()).run(buffer, foldDay));
    }
  }

  static WalkForwardFold fold(BacktestOptions options, FeatureSpec spec, Economics economics) {
    return new WalkForwardFold(
        spec.getLabel().getHorizonDays(),
        options.getPurgeLabelOverlap(),
        TrainPipeline.parameters(options),
        TrainPipeline.heuristicCandidates(spec, options.getHeuristicFeatures()),
        options.getOperatingPoint(),
        options.getTopFraction(),
        options.getRefit(),
        valueColumn(spec, options.getValueFeature()),
        options.getValuePerCustomer(),
        economics);
  }

  static FeatureSpec spec(BacktestOptions options) {
    return options.getFeatureSpec().isEmpty()
        ? FeatureSpecs.fromFeaturesOutput(options.getExamples())
        : FeatureSpecs.read(options.getFeatureSpec());
  }

  static List<Integer> cutoffs(Manifest features, String where) {
    String listed = features.getAttributesOrDefault("cutoffs", "");
    if (!features.getPipeline().equals("features") || listed.isBlank()) {
      throw new InvalidInputException(
          "--examples="
              + where
              + " is not a features output with cutoffs (its"
              + " manifest names pipeline '"
              + features.getPipeline()
              + "'): give the features task's output");
    }
    return Arrays.stream(listed.split(","))
        .map(d -> Cutoffs.day("the features manifest's cutoffs", d.trim()))
        .sorted()
        .distinct()
        .toList();
  }

  /** The column of {@code --valueFeature}, or -1 for the constant value. */
  static int valueColumn(FeatureSpec spec, String feature) {
    if (feature.isBlank()) {
      return -1;
    }
    return IntStream.range(0, spec.getFeaturesCount())
        .filter(
            i ->
                spec.getFeatures(i).getName().equals(feature.trim())
                    && spec.getFeatures(i).getType() == FeatureType.NUMERIC)
        .findFirst()
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "--valueFeature="
                        + feature
                        + " is not a numeric feature of"
                        + " the spec "
                        + spec.getName()
                        + " ("
                        + FeatureSpecs.featureNames(spec)
                        + ")"));
  }

  static Economics economics(BacktestOptions options, SaveRateSource measured) {
    Campaign campaign =
        new Campaign(
            Capacity.parse(options.getCapacity()),
            options.getCostPerContact(),
            options.getOfferCost());
    double saveRate =
        measured == null
            ? Campaign.saveRate("--saveRate", options.getSaveRate())
            : measured.estimate();
    List<Double> grid = new ArrayList<>();
    for (String token : options.getSaveRateGrid().split(",")) {
      if (!token.isBlank()) {
        try {
          grid.add(Double.parseDouble(token.trim()));
        } catch (NumberFormatException e) {
          throw new InvalidInputException(
              "--saveRateGrid: '" + token.trim() + "' is not a number (use e.g. 0.1,0.2)");
        }
      }
    }
    grid.add(saveRate);
    if (measured != null) {
      grid.add(measured.ci95Low());
      grid.add(measured.ci95High());
    }
    if (!(options.getValuePerCustomer() >= 0)) {
      throw new InvalidInputException(
          "--valuePerCustomer must be a non-negative number, got " + options.getValuePerCustomer());
    }
    return new Economics(
        campaign,
        saveRate,
        grid.stream().mapToDouble(Double::doubleValue).toArray(),
        options.getBootstrapResamples(),
        options.getRandomDraws(),
        options.getSeed());
  }

  private static CampaignSettings settings(BacktestOptions options, Economics economics) {
    CampaignSettings.Builder s =
        CampaignSettings.newBuilder()
            .setCapacity(economics.campaign().capacity().toString())
            .setSaveRate(economics.saveRate())
            .setCostPerContact(economics.campaign().costPerContact())
            .setOfferCost(economics.campaign().offerCost())
            .setValuePerCustomer(
                options.getValueFeature().isBlank()
                    ? "constant "
                        + io.mlproof.pipelines.evaluate.Numbers.plain(options.getValuePerCustomer())
                    : "feature " + options.getValueFeature().trim())
            .setBootstrapResamples(economics.bootstrapResamples())
            .setRandomDraws(economics.randomDraws())
            .setSeed(economics.seed());
    Arrays.stream(economics.grid()).forEach(s::addSaveRateGrid);
    return s.build();
  }

  private static List<FoldOutcome> readFolds(String prefix) {
    List<FoldOutcome> folds = new ArrayList<>();
    TfRecordFiles.read(
        ProtoRecords.shardGlob(prefix),
        (bytes, length, file) ->
            folds.add(FoldOutcome.parseFrom(java.nio.ByteBuffer.wrap(bytes, 0, length))));
    folds.sort(Comparator.comparing(f -> f.getFold().getCutoff()));
    return folds;
  }

  /** camelCase JSON with every field, defaults included ({@code complete: false} must show). */
  static String json(BacktestResult result) {
    try {
      return JsonFormat.printer().includingDefaultValueFields().print(result) + "\n";
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }
}
