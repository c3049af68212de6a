package io.mlproof.pipelines.model;

import io.mlproof.pipelines.evaluate.Evaluator;
import io.mlproof.pipelines.evaluate.Metrics;
import io.mlproof.pipelines.evaluate.OperatingPointRule;
import io.mlproof.pipelines.evaluate.ThresholdRule;
import io.mlproof.proto.v1.Selection;
import java.util.List;

/**
 * Everything that is chosen, chosen on the validation rows: the number of boosting rounds (early
 * stopping on validation log loss), the model's best-F1 threshold (on its validation scores, which
 * are out of sample, unlike its training scores) and the heuristic baseline's feature, direction
 * and threshold. It is given no test rows, so it cannot look at them; the test rows are measured
 * afterwards by {@link Evaluator} with what this returns.
 */
public final class SelectOnValidation {

  private SelectOnValidation() {}

  /**
   * What was chosen.
   *
   * @param modelThreshold the model's operating threshold under BEST_F1; NaN under TOP_K (the cut
   *     is then the top share of whichever rows are scored)
   * @param baseRate the training rows' positive rate (the status quo's probability)
   * @param parameters LightGBM's parameters, scaled to the training rows (a refit uses these)
   */
  public record Selected(
      LightGbmTrainer.Result trained,
      double modelThreshold,
      ThresholdRule heuristic,
      double baseRate,
      TrainingParameters parameters,
      int trainRows,
      int validationRows) {

    public Selection toProto() {
      return Selection.newBuilder()
          .setTrainRows(trainRows)
          .setValidationRows(validationRows)
          .setBestIteration(trained.bestIteration())
          .setModelThreshold(modelThreshold)
          .setHeuristic(heuristic.name())
          .build();
    }
  }

  public static Selected select(
      ExampleMatrix train,
      ExampleMatrix validation,
      TrainingParameters parameters,
      List<ThresholdRule.Candidate> heuristicCandidates,
      OperatingPointRule rule) {
    Evaluator.requireBothClasses("training", train.labels());
    Evaluator.requireBothClasses("validation", validation.labels());
    TrainingParameters resolved = parameters.resolvedFor(train.rows());
    LightGbmTrainer.Result trained = LightGbmTrainer.train(train, validation, resolved);
    double threshold =
        rule == OperatingPointRule.BEST_F1
            ? Metrics.bestF1Threshold(trained.validationScores(), validation.labels())
            : Double.NaN;
    ThresholdRule heuristic = ThresholdRule.tune(validation.labeled(), heuristicCandidates);
    return new Selected(
        trained,
        threshold,
        heuristic,
        Metrics.positiveRate(train.labels()),
        resolved,
        train.rows(),
        validation.rows());
  }
}
