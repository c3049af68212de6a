package io.mlproof.pipelines.model;

import io.github.metarank.lightgbm4j.LGBMDataset;
import io.github.metarank.lightgbm4j.LGBMException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.proto.v1.FeatureSpec;
import java.util.Map;

/**
 * Trains a LightGBM binary classifier on the training rows with early stopping on the validation
 * rows (never the test rows: they are not passed here), and returns the model at its best
 * iteration.
 */
public final class LightGbmTrainer {

  private LightGbmTrainer() {}

  /**
   * @param modelText the LightGBM text model at the best iteration
   * @param bestIteration iterations kept (1-based count)
   * @param iterationsRun iterations boosted before early stopping ended the loop
   * @param validationScores probabilities of the validation rows at the best iteration
   * @param gains total split gain per feature, spec order
   */
  public record Result(
      String modelText,
      int bestIteration,
      int iterationsRun,
      double[] validationScores,
      double[] gains,
      Map<String, String> parameters,
      long datasetNanos,
      long boostingNanos) {}

  /** Boosts on {@code trainRows}, stopping early on {@code validationRows}' log loss. */
  public static Result train(
      ExampleMatrix trainRows, ExampleMatrix validationRows, TrainingParameters parameters) {
    LightGbmNative.load();
    FeatureSpec spec = trainRows.spec();
    int[] categorical = ExampleReader.categoricalColumns(spec);
    String lightgbm = TrainingParameters.toParameterString(parameters.lightgbm(categorical));
    long start = System.nanoTime();
    try (LGBMDataset train = dataset(trainRows, lightgbm, null);
        LGBMDataset validation = dataset(validationRows, lightgbm, train)) {
      long datasetNanos = System.nanoTime() - start;
      start = System.nanoTime();
      try (NativeBooster booster = NativeBooster.create(train, lightgbm)) {
        booster.addValidation(validation);
        double best = Double.POSITIVE_INFINITY;
        int bestIteration = 0;
        int iteration = 0;
        int patience = parameters.earlyStoppingRounds();
        while (iteration < parameters.numIterations()) {
          boolean finished = booster.updateOneIteration();
          iteration++;
          double loss = booster.evaluate(1);
          if (loss < best || patience == 0) {
            best = loss;
            bestIteration = iteration;
          } else if (iteration - bestIteration >= patience) {
            break;
          }
          if (finished) {
            break;
          }
        }
        int iterationsRun = iteration;
        while (booster.currentIteration() > bestIteration) {
          booster.rollbackOneIteration();
        }
        // Rolling back also rolls back the validation scores: these are the best iteration's.
        double[] validationScores = booster.predictions(1);
        String text = booster.saveModel();
        double[] gains = booster.gainImportance(spec.getFeaturesCount());
        return new Result(
            text,
            bestIteration,
            iterationsRun,
            validationScores,
            gains,
            parameters.recorded(categorical),
            datasetNanos,
            System.nanoTime() - start);
      }
    } catch (LGBMException e) {
      throw new RunFailedException("LightGBM failed: " + e.getMessage(), e);
    }
  }

  /**
   * Boosts exactly {@code iterations} rounds on {@code rows} with no validation set: the refit on
   * train + validation after the round count was chosen. {@code validationScores} is empty.
   */
  public static Result refit(ExampleMatrix rows, TrainingParameters parameters, int iterations) {
    LightGbmNative.load();
    FeatureSpec spec = rows.spec();
    int[] categorical = ExampleReader.categoricalColumns(spec);
    String lightgbm = TrainingParameters.toParameterString(parameters.lightgbm(categorical));
    long start = System.nanoTime();
    try (LGBMDataset train = dataset(rows, lightgbm, null)) {
      long datasetNanos = System.nanoTime() - start;
      start = System.nanoTime();
      try (NativeBooster booster = NativeBooster.create(train, lightgbm)) {
        int iteration = 0;
        boolean finished = false;
        while (iteration < iterations && !finished) {
          finished = booster.updateOneIteration();
          iteration++;
        }
        return new Result(
            booster.saveModel(),
            iteration,
            iteration,
            new double[0],
            booster.gainImportance(spec.getFeaturesCount()),
            parameters.recorded(categorical),
            datasetNanos,
            System.nanoTime() - start);
      }
    } catch (LGBMException e) {
      throw new RunFailedException("LightGBM failed: " + e.getMessage(), e);
    }
  }

  private static LGBMDataset dataset(ExampleMatrix m, String parameters, LGBMDataset reference)
      throws LGBMException {
    LGBMDataset dataset =
        LGBMDataset.createFromMat(m.values(), m.rows(), m.columns(), true, parameters, reference);
    float[] labels = new float[m.rows()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = m.labels()[i] ? 1f : 0f;
    }
    dataset.setField("label", labels);
    dataset.setFeatureNames(featureNames(m.spec()));
    return dataset;
  }

  /**
   * LightGBM rejects JSON punctuation and spaces in feature names; the spec keeps the real ones.
   */
  static String[] featureNames(FeatureSpec spec) {
    return spec.getFeaturesList().stream()
        .map(f -> f.getName().replaceAll("[^A-Za-z0-9_.-]", "_"))
        .toArray(String[]::new);
  }
}
