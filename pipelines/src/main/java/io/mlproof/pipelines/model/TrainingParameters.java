package io.mlproof.pipelines.model;

import io.mlproof.pipelines.core.InvalidInputException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * What LightGBM is asked to do. Determinism is not optional: a fixed {@code seed} (from which
 * LightGBM derives its bagging, feature-fraction and data seeds), {@code deterministic=true},
 * {@code force_row_wise=true} and a fixed thread count, so the same rows give the same model bytes.
 *
 * @param extra further LightGBM parameters (from the DAG's {@code params.lightgbm}), passed through
 */
public record TrainingParameters(
    int numIterations,
    double learningRate,
    int numLeaves,
    int minDataInLeaf,
    int earlyStoppingRounds,
    int seed,
    int numThreads,
    ClassWeighting classWeighting,
    double scalePosWeight,
    Map<String, String> extra) {

  /** Parameters mlproof sets itself; each maps to the option to use instead. */
  static final Map<String, String> RESERVED =
      Map.ofEntries(
          Map.entry("objective", "binary classification is fixed"),
          Map.entry("metric", "early stopping uses binary_logloss"),
          Map.entry("seed", "use --seed"),
          Map.entry("deterministic", "always true"),
          Map.entry("force_row_wise", "always true"),
          Map.entry("force_col_wise", "row-wise is forced for determinism"),
          Map.entry("num_threads", "use --numThreads"),
          Map.entry("categorical_feature", "categorical features come from the feature spec"),
          Map.entry("num_iterations", "use --numIterations"),
          Map.entry("early_stopping_round", "use --earlyStoppingRounds"),
          Map.entry("is_unbalance", "use --classWeighting=BALANCED"),
          Map.entry(
              "scale_pos_weight", "use --classWeighting=SCALE_POS_WEIGHT --scalePosWeight=..."),
          Map.entry("learning_rate", "use --learningRate"),
          Map.entry("num_leaves", "use --numLeaves"),
          Map.entry("min_data_in_leaf", "use --minDataInLeaf"),
          Map.entry("verbosity", "mlproof keeps LightGBM quiet"));

  private static final Set<String> SEED_SUFFIXES = Set.of("_seed");

  /**
   * {@code numLeaves} or {@code minDataInLeaf} to be scaled to the training rows ({@link
   * #resolvedFor}).
   */
  public static final int AUTO = 0;

  public TrainingParameters {
    require(numIterations >= 1, "--numIterations must be at least 1, got " + numIterations);
    require(
        learningRate > 0 && learningRate <= 1,
        "--learningRate must be in (0, 1], got " + learningRate);
    require(
        numLeaves == AUTO || numLeaves >= 2,
        "--numLeaves must be 0 (auto) or at least 2, got " + numLeaves);
    require(
        minDataInLeaf == AUTO || minDataInLeaf >= 1,
        "--minDataInLeaf must be 0 (auto) or at least 1, got " + minDataInLeaf);
    require(
        earlyStoppingRounds >= 0,
        "--earlyStoppingRounds must be 0 (off) or more, got " + earlyStoppingRounds);
    require(numThreads >= 1, "--numThreads must be at least 1, got " + numThreads);
    require(
        classWeighting != ClassWeighting.SCALE_POS_WEIGHT || scalePosWeight > 0,
        "--scalePosWeight must be positive with --classWeighting=SCALE_POS_WEIGHT, got "
            + scalePosWeight);
    extra = Map.copyOf(new TreeMap<>(extra));
    for (Map.Entry<String, String> e : extra.entrySet()) {
      String key = e.getKey();
      String why = RESERVED.get(key);
      if (why == null && SEED_SUFFIXES.stream().anyMatch(key::endsWith)) {
        why = "seeds derive from --seed";
      }
      require(
          why == null,
          "LightGBM parameter '" + key + "' in params.lightgbm is set by mlproof: " + why);
      require(
          key.matches("[a-z_0-9]+") && e.getValue().matches("[A-Za-z0-9_.,+-]+"),
          "LightGBM parameter '"
              + key
              + "="
              + e.getValue()
              + "' in params.lightgbm is malformed: use lower_case names and plain values");
    }
  }

  /**
   * Below this many training rows a table is small: {@link #resolvedFor} loosens categorical
   * splits.
   */
  static final int SMALL_TABLE_ROWS = 6_200;

  /**
   * These parameters with {@code num_leaves} and {@code min_data_in_leaf} left at {@link #AUTO}
   * scaled to {@code trainRows}: {@code num_leaves} = rows / 200 within [4, 31] and {@code
   * min_data_in_leaf} = rows / 50 within [5, 20]. From about 6,000 training rows on these are
   * LightGBM's defaults (31 and 20); small tables get shallow trees, which is what worked in 5-fold
   * cross-validation on three real small tables (docs/TRAINING.md, "Small tables"). With {@code
   * min_data_in_leaf} at AUTO, a small table (under {@link #SMALL_TABLE_ROWS}, where the leaves are
   * not yet LightGBM's default) also gets {@code min_data_per_group} = that {@code
   * min_data_in_leaf} instead of LightGBM's 100 (a category with fewer rows could never be split
   * off on a thousand-row table) and {@code cat_l2=0} instead of 10, unless params.lightgbm sets
   * them: chosen by 5-fold cross-validation on attrition's non-test rows (docs/TRAINING.md).
   */
  public TrainingParameters resolvedFor(int trainRows) {
    int leaves = numLeaves != AUTO ? numLeaves : Math.max(4, Math.min(31, trainRows / 200));
    int minData = minDataInLeaf != AUTO ? minDataInLeaf : Math.max(5, Math.min(20, trainRows / 50));
    Map<String, String> resolvedExtra = new TreeMap<>(extra);
    if (minDataInLeaf == AUTO && trainRows < SMALL_TABLE_ROWS) {
      resolvedExtra.putIfAbsent("min_data_per_group", Integer.toString(minData));
      resolvedExtra.putIfAbsent("cat_l2", "0");
    }
    return new TrainingParameters(
        numIterations,
        learningRate,
        leaves,
        minData,
        earlyStoppingRounds,
        seed,
        numThreads,
        classWeighting,
        scalePosWeight,
        resolvedExtra);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new InvalidInputException(message);
    }
  }

  /** LightGBM's parameters for a spec with {@code categorical} column indices, sorted by name. */
  public Map<String, String> lightgbm(int[] categorical) {
    if (numLeaves == AUTO || minDataInLeaf == AUTO) {
      throw new IllegalStateException(
          "resolve AUTO parameters for the training rows first (resolvedFor)");
    }
    Map<String, String> p = new TreeMap<>(extra);
    p.put("objective", "binary");
    p.put("metric", "binary_logloss");
    p.put("learning_rate", Double.toString(learningRate));
    p.put("num_leaves", Integer.toString(numLeaves));
    p.put("min_data_in_leaf", Integer.toString(minDataInLeaf));
    p.put("seed", Integer.toString(seed));
    p.put("deterministic", "true");
    p.put("force_row_wise", "true");
    p.put("num_threads", Integer.toString(numThreads));
    p.put("verbosity", "-1");
    if (categorical.length > 0) {
      p.put(
          "categorical_feature",
          IntStream.of(categorical).mapToObj(Integer::toString).collect(Collectors.joining(",")));
    }
    switch (classWeighting) {
      case BALANCED -> p.put("is_unbalance", "true");
      case SCALE_POS_WEIGHT -> p.put("scale_pos_weight", Double.toString(scalePosWeight));
      case NONE -> {}
    }
    return p;
  }

  /** Everything recorded in the model metadata: LightGBM's parameters plus the loop's. */
  public Map<String, String> recorded(int[] categorical) {
    Map<String, String> p = new TreeMap<>(lightgbm(categorical));
    p.put("mlproof.num_iterations", Integer.toString(numIterations));
    p.put("mlproof.early_stopping_rounds", Integer.toString(earlyStoppingRounds));
    p.put("mlproof.class_weighting", classWeighting.name());
    return p;
  }

  static String toParameterString(Map<String, String> parameters) {
    return parameters.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(" "));
  }
}
