package io.mlproof.pipelines.backtest;

import io.mlproof.pipelines.evaluate.BlessCriteria;
import io.mlproof.pipelines.evaluate.Evaluator;
import io.mlproof.pipelines.evaluate.OperatingPointRule;
import io.mlproof.pipelines.evaluate.PairedBootstrap;
import io.mlproof.pipelines.evaluate.ThresholdRule;
import io.mlproof.pipelines.features.Cutoffs;
import io.mlproof.pipelines.model.ExampleBuffer;
import io.mlproof.pipelines.model.ExampleMatrix;
import io.mlproof.pipelines.model.LightGbmTrainer;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.pipelines.model.SelectOnValidation;
import io.mlproof.pipelines.model.SplitPlanner;
import io.mlproof.pipelines.model.TrainingData;
import io.mlproof.pipelines.model.TrainingParameters;
import io.mlproof.proto.v1.BacktestFold;
import io.mlproof.proto.v1.EvaluationResult;
import io.mlproof.proto.v1.FoldOutcome;
import io.mlproof.proto.v1.ModelMetadata;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One fold of the walk-forward backtest at cutoff X: the model, the heuristic and the operating
 * point learn only from examples whose label windows end at or before X, split by time exactly as
 * {@code train} splits, with X as the test day (through {@link SplitPlanner#byTime}, {@link
 * SelectOnValidation}, {@link ModelArtifact} and {@link Evaluator}); then the entities eligible at
 * X are ranked and the campaign is measured against what happened in (X, X + horizon].
 *
 * <p>This class is the backtest's only contact with training and evaluation: keep it narrow.
 *
 * @param valueColumn the feature giving each entity's value, or -1 for {@code constantValue}
 */
public record WalkForwardFold(
    int horizonDays,
    boolean purge,
    TrainingParameters parameters,
    List<ThresholdRule.Candidate> candidates,
    OperatingPointRule rule,
    double topFraction,
    boolean refit,
    int valueColumn,
    double constantValue,
    Economics economics) {

  public FoldOutcome run(ExampleBuffer examples, int foldDay) {
    int[] order = examples.canonicalOrder();
    int[] atFold = IntStream.of(order).filter(r -> examples.cutoff(r) == foldDay).toArray();
    long unlabelled = IntStream.of(atFold).filter(r -> !examples.hasLabel(r)).count();
    BacktestFold.Builder fold =
        BacktestFold.newBuilder().setCutoff(Cutoffs.date(foldDay)).setEligible(atFold.length);
    if (atFold.length == 0 || unlabelled > 0) {
      return FoldOutcome.newBuilder()
          .setFold(
              fold.setComplete(false)
                  .setIncompleteReason(
                      atFold.length == 0
                          ? "no examples at "
                              + Cutoffs.date(foldDay)
                              + ": the features task left them out (with"
                              + " --requireLabels=true it drops cutoffs whose label window is still open)"
                          : unlabelled
                              + " of "
                              + atFold.length
                              + " examples have no label: the data does not reach the end of"
                              + " the label window ("
                              + Cutoffs.date(foldDay)
                              + ", "
                              + Cutoffs.date((long) foldDay + horizonDays)
                              + "]"))
          .build();
    }

    // The fold's rows are the test rows: the split chooses on the newest cutoff whose label window
    // closes by X and trains on older ones, exactly as train does with its newest cutoff.
    TrainingData history = SplitPlanner.byTime(examples, foldDay, purge);
    SelectOnValidation.Selected selected =
        SelectOnValidation.select(
            history.train(), history.validation(), parameters, candidates, rule);
    LightGbmTrainer.Result trained =
        refit
            ? LightGbmTrainer.refit(
                history.train().concat(history.validation()),
                selected.parameters(),
                selected.trained().bestIteration())
            : selected.trained();
    ExampleMatrix rows = examples.select(atFold);
    String spec = history.train().specHash();
    String sha = ModelArtifact.sha256(trained.modelText());
    ModelArtifact model =
        ModelArtifact.of(
            ModelMetadata.newBuilder()
                .setModelId(ModelArtifact.modelId(history.train().spec(), sha))
                .setModelSha256(sha)
                .setFeatureSpecHash(spec)
                .build(),
            trained.modelText());
    double[] scores = model.predict(rows, parameters.numThreads());

    EvaluationResult evaluation =
        new Evaluator(
                rule,
                topFraction,
                BlessCriteria.DEFAULT,
                new PairedBootstrap(PairedBootstrap.MIN_RESAMPLES, parameters.seed()))
            .evaluate(
                new Evaluator.Inputs(
                    rows.labeled(),
                    scores,
                    selected.modelThreshold(),
                    selected.heuristic(),
                    selected.baseRate(),
                    List.of(),
                    selected.toProto().toBuilder().setRefit(refit).build()));
    ThresholdRule heuristic = selected.heuristic();
    double[] heuristicScores = new double[rows.rows()];
    double[] value = new double[rows.rows()];
    for (int r = 0; r < rows.rows(); r++) {
      heuristicScores[r] = heuristic.rankingScore(rows.labeled().value(r, heuristic.column()));
      double v = valueColumn < 0 ? constantValue : rows.labeled().value(r, valueColumn);
      value[r] = Double.isNaN(v) ? 0 : v;
    }
    boolean[] churner = rows.labels();
    Economics.Measured measured =
        economics.measure(
            foldDay, economics.strategies(scores, heuristicScores, churner, value), churner, value);

    int[] trainDays = history.train().cutoffDays();
    fold.setComplete(true)
        .setChurners(Math.toIntExact(rows.positives()))
        .setTrainingRows(history.train().rows())
        .setTrainingCutoffs(
            Cutoffs.date(trainDays[0])
                + ".."
                + Cutoffs.date(trainDays[trainDays.length - 1])
                + " (early stopping on "
                + Cutoffs.date(history.validationCutoffDay())
                + ")")
        .setModelId(model.id())
        .setBestIteration(trained.bestIteration())
        .setHeuristic(heuristic.name())
        .setCapacity(economics.campaign().capacity().contacts(rows.rows()))
        .setModelF1(evaluation.getModel().getF1())
        .setModelRocAuc(evaluation.getModel().getRocAuc())
        .addAllStrategies(measured.figures());
    return FoldOutcome.newBuilder().setFold(fold).addAllReplicates(measured.replicates()).build();
  }
}
