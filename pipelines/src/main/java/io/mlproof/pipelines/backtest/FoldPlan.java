package io.mlproof.pipelines.backtest;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.features.Cutoffs;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The fold cutoffs of a walk-forward backtest, checked against the cutoffs of the features output
 * before anything runs. A fold at cutoff X learns from the cutoffs whose label windows end at or
 * before X (the purge rule of training): early stopping on the newest of them, V, and LightGBM on
 * those whose windows end at or before V.
 */
public record FoldPlan(List<Integer> foldDays, int horizonDays) {

  /**
   * @param cutoffs the features output's cutoff days, sorted
   * @param firstFold ISO date of the first fold, or empty for the default (the last fold on the
   *     newest cutoff)
   */
  public static FoldPlan of(
      List<Integer> cutoffs,
      int horizonDays,
      String firstFold,
      int everyDays,
      int folds,
      int minTrainingCutoffs) {
    if (cutoffs.isEmpty()) {
      throw new InvalidInputException(
          "the features output lists no cutoffs: re-run the features task");
    }
    if (everyDays <= 0) {
      throw new InvalidInputException("--foldEveryDays must be positive, got " + everyDays);
    }
    if (folds <= 0) {
      throw new InvalidInputException("--folds must be positive, got " + folds);
    }
    if (minTrainingCutoffs <= 0) {
      throw new InvalidInputException(
          "--minTrainingCutoffs must be positive, got " + minTrainingCutoffs);
    }
    int first =
        firstFold.isBlank()
            ? cutoffs.get(cutoffs.size() - 1) - (folds - 1) * everyDays
            : Cutoffs.day("--firstFold", firstFold.trim());
    List<Integer> days = new ArrayList<>();
    for (int i = 0; i < folds; i++) {
      int day = first + i * everyDays;
      if (!cutoffs.contains(day)) {
        throw new InvalidInputException(
            "fold "
                + (i + 1)
                + " falls on "
                + Cutoffs.date(day)
                + ", which is not a cutoff of the features output ("
                + dates(cutoffs)
                + "): build features at every fold cutoff, or change --firstFold/--foldEveryDays/--folds");
      }
      int learned = trainingCutoffs(cutoffs, horizonDays, day).size();
      if (learned < minTrainingCutoffs) {
        throw new InvalidInputException(
            "fold "
                + Cutoffs.date(day)
                + " has "
                + learned
                + " training cutoff"
                + (learned == 1 ? "" : "s")
                + " (label windows ending by its early-stopping cutoff, itself the newest"
                + " whose "
                + horizonDays
                + "-day window ends by the fold) but --minTrainingCutoffs="
                + minTrainingCutoffs
                + ": add older cutoffs to the features task or move --firstFold later");
      }
      days.add(day);
    }
    return new FoldPlan(List.copyOf(days), horizonDays);
  }

  /**
   * The newest cutoff whose label window ends at or before {@code fold}: early stopping looks at
   * it.
   */
  static Integer stoppingCutoff(List<Integer> cutoffs, int horizonDays, int fold) {
    Integer best = null;
    for (int c : cutoffs) {
      if ((long) c + horizonDays <= fold) {
        best = c;
      }
    }
    return best;
  }

  /** The cutoffs LightGBM learns from at {@code fold}. */
  static List<Integer> trainingCutoffs(List<Integer> cutoffs, int horizonDays, int fold) {
    Integer stopping = stoppingCutoff(cutoffs, horizonDays, fold);
    if (stopping == null) {
      return List.of();
    }
    return cutoffs.stream().filter(c -> (long) c + horizonDays <= stopping).toList();
  }

  static String dates(List<Integer> days) {
    return days.stream().map(Cutoffs::date).collect(Collectors.joining(","));
  }
}
