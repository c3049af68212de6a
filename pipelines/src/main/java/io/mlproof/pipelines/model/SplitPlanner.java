package io.mlproof.pipelines.model;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Splits examples three ways: train (LightGBM learns), validation (everything that is chosen is
 * chosen here) and test (read once, at the end, to measure). Takes rows, not options, so a
 * walk-forward backtest can plan one split per fold.
 */
public final class SplitPlanner {
  /** The values a split column may hold. */
  public static final String TRAIN = "train";

  public static final String VALIDATION = "validation";
  public static final String TEST = "test";

  private SplitPlanner() {}

  /**
   * {@link #byTime(ExampleBuffer, int, boolean)} with the newest labelled cutoff day as the test
   * day.
   */
  public static TrainingData byTime(ExampleBuffer examples, boolean purge) {
    int[] order = canonicalUnique(examples);
    int newest = Integer.MIN_VALUE;
    for (int r : order) {
      if (examples.hasLabel(r)) {
        newest = Math.max(newest, examples.cutoff(r));
      }
    }
    if (newest == Integer.MIN_VALUE) {
      throw new RunFailedException(
          "none of the "
              + order.length
              + " examples has a label: training needs cutoffs whose label"
              + " window is over (move the training cutoffs back by the label horizon)");
    }
    return byTime(examples, order, newest, purge);
  }

  /**
   * The time-aware split of examples from the features stage, never random across time: the
   * labelled rows at {@code testDay} test, the newest labelled cutoff before it validates, older
   * cutoffs train; rows after {@code testDay} are not used. With {@code purge}, a cutoff's rows are
   * used only if their label window has closed by the next stage's cutoff (cutoff + horizon <= the
   * validation day for training rows, <= the test day for validation rows): a label observed after
   * the day the model is applied leaks the future into what it learns or is tuned on. So the
   * validation day is the newest labelled cutoff at least one horizon before the test day.
   */
  public static TrainingData byTime(ExampleBuffer examples, int testDay, boolean purge) {
    return byTime(examples, canonicalUnique(examples), testDay, purge);
  }

  private static TrainingData byTime(
      ExampleBuffer examples, int[] order, int testDay, boolean purge) {
    int horizon = examples.spec().getLabel().getHorizonDays();
    long unlabelled = 0;
    long later = 0;
    TreeSet<Integer> days = new TreeSet<>();
    for (int r : order) {
      if (!examples.hasLabel(r)) {
        unlabelled++;
      } else if (examples.cutoff(r) > testDay) {
        later++;
      } else {
        days.add(examples.cutoff(r));
      }
    }
    if (!days.contains(testDay)) {
      throw new RunFailedException(
          "no labelled examples at the test cutoff day "
              + testDay
              + " (labelled cutoff days: "
              + days
              + "): check the features task's cutoffs");
    }
    int gap = purge ? horizon : 1;
    Integer validationDay = days.floor(testDay - gap);
    if (validationDay == null) {
      throw new RunFailedException(
          "no validation cutoff: the time-aware split validates on the newest cutoff"
              + (purge ? " whose " + horizon + "-day label window closes by" : " before")
              + " the test cutoff day "
              + testDay
              + ", and the labelled cutoff days are "
              + days
              + "; add a cutoff at least "
              + gap
              + " days before the newest one to the features task");
    }
    int validation = validationDay;
    int trainBefore = validation - gap;
    int[] trainRows = rowsWhere(examples, order, r -> examples.cutoff(r) <= trainBefore);
    int[] validationRows = rowsWhere(examples, order, r -> examples.cutoff(r) == validation);
    int[] testRows = rowsWhere(examples, order, r -> examples.cutoff(r) == testDay);
    long purged =
        rowsWhere(examples, order, r -> examples.cutoff(r) < testDay).length
            - (long) trainRows.length
            - validationRows.length;
    if (trainRows.length == 0) {
      throw new RunFailedException(
          "no training rows: training uses cutoffs"
              + (purge ? " whose " + horizon + "-day label window closes by" : " before")
              + " the validation cutoff day "
              + validation
              + ", and the labelled cutoff days are "
              + days
              + (purged > 0
                  ? " ("
                      + purged
                      + " rows left out because their label window overlaps the next stage)"
                  : "")
              + "; add older cutoffs to the features task");
    }
    Map<String, Long> counters = new TreeMap<>();
    counters.put("examples_read", (long) order.length);
    counters.put("examples_unlabelled_skipped", unlabelled);
    counters.put("examples_after_test_cutoff_skipped", later);
    counters.put("rows_purged_label_overlap", purged);
    String split =
        String.format(
            Locale.ROOT,
            "time: train on cutoff days up to %d, validate on day %d, test on day %d",
            trainBefore,
            validation,
            testDay);
    return data(examples, trainRows, validationRows, testRows, split, counters);
  }

  /**
   * The role of every row of a table without time ({@link #TRAIN}, {@link #VALIDATION} or {@link
   * #TEST}, in row order) and the split in words. Planned before the features are encoded, so that
   * the encoding (numeric or categorical, the vocabulary) is learned without the test rows.
   */
  public record TablePlan(String[] roles, String description) {
    public boolean isTest(int row) {
      return TEST.equals(roles[row]);
    }
  }

  /** {@link #stratifiedPlan} applied to {@code rows}. */
  public static TrainingData stratified(
      ExampleBuffer rows, double testFraction, double validationFraction, int seed) {
    int[] order = canonicalUnique(rows);
    return byPlan(
        rows, stratifiedPlan(order, labels(rows), testFraction, validationFraction, seed));
  }

  /** {@link #columnPlan} applied to {@code rows}. */
  public static TrainingData byColumn(
      ExampleBuffer rows, String[] values, String column, double validationFraction, int seed) {
    int[] order = canonicalUnique(rows);
    String[] ids = IntStream.range(0, rows.rows()).mapToObj(rows::id).toArray(String[]::new);
    return byPlan(
        rows, columnPlan(order, values, labels(rows), ids, column, validationFraction, seed));
  }

  /**
   * A seeded stratified split: each class's rows, in {@code order} (canonical: by id), are shuffled
   * with {@code seed}; the first round(testFraction x class size) test, the next
   * round(validationFraction x the rest) validate, the others train.
   */
  public static TablePlan stratifiedPlan(
      int[] order, boolean[] labels, double testFraction, double validationFraction, int seed) {
    requireFraction("--testFraction", testFraction);
    requireFraction("--validationFraction", validationFraction);
    String[] role = new String[labels.length];
    Random random = new Random(seed);
    for (boolean cls : new boolean[] {false, true}) {
      int[] members = shuffled(IntStream.of(order).filter(r -> labels[r] == cls).toArray(), random);
      long test = Math.round(testFraction * members.length);
      long validation = Math.round(validationFraction * (members.length - test));
      for (int i = 0; i < members.length; i++) {
        role[members[i]] = i < test ? TEST : i < test + validation ? VALIDATION : TRAIN;
      }
    }
    return new TablePlan(
        role,
        String.format(
            Locale.ROOT,
            "stratified: %s%% of each class tests, %s%% of the rest validates, seed %d",
            percent(testFraction),
            percent(validationFraction),
            seed));
  }

  /**
   * The split a column gives: {@code train}, {@code validation} and {@code test} (one per row).
   * Without validation rows, validation is carved from the train rows, seeded and stratified, by
   * {@code validationFraction} (the test rows' labels play no part).
   */
  public static TablePlan columnPlan(
      int[] order,
      String[] values,
      boolean[] labels,
      String[] ids,
      String column,
      double validationFraction,
      int seed) {
    String[] role = new String[labels.length];
    boolean anyValidation = false;
    for (int r : order) {
      String v = values[r];
      if (!TRAIN.equals(v) && !VALIDATION.equals(v) && !TEST.equals(v)) {
        throw new InvalidInputException(
            "split column "
                + column
                + " is '"
                + v
                + "' for id "
                + ids[r]
                + ": use 'train', 'validation' or 'test'");
      }
      role[r] = v;
      anyValidation |= VALIDATION.equals(v);
    }
    if (anyValidation) {
      return new TablePlan(
          role,
          "column "
              + column
              + ": 'train' rows train, 'validation' rows validate, 'test' rows test");
    }
    requireFraction("--validationFraction", validationFraction);
    Random random = new Random(seed);
    for (boolean cls : new boolean[] {false, true}) {
      int[] members =
          shuffled(
              IntStream.of(order).filter(r -> TRAIN.equals(role[r]) && labels[r] == cls).toArray(),
              random);
      long validation = Math.round(validationFraction * members.length);
      for (int i = 0; i < validation; i++) {
        role[members[i]] = VALIDATION;
      }
    }
    return new TablePlan(
        role,
        String.format(
            Locale.ROOT,
            "column %s: 'test' rows test; of the 'train' rows,"
                + " %s%% of each class validates (seed %d), the rest trains",
            column,
            percent(validationFraction),
            seed));
  }

  /** The rows of {@code rows} (a table: one cutoff) split as {@code plan} says. */
  public static TrainingData byPlan(ExampleBuffer rows, TablePlan plan) {
    int[] order = canonicalUnique(rows);
    String[] role = plan.roles();
    int[] train = rowsWhere(rows, order, r -> TRAIN.equals(role[r]));
    int[] validation = rowsWhere(rows, order, r -> VALIDATION.equals(role[r]));
    int[] test = rowsWhere(rows, order, r -> TEST.equals(role[r]));
    if (train.length == 0 || validation.length == 0 || test.length == 0) {
      throw new InvalidInputException(
          "the split leaves "
              + train.length
              + " training, "
              + validation.length
              + " validation and "
              + test.length
              + " test rows: each needs rows (check --splitColumn,"
              + " --testFraction and --validationFraction)");
    }
    Map<String, Long> counters = new TreeMap<>();
    counters.put("examples_read", (long) order.length);
    return data(rows, train, validation, test, plan.description(), counters);
  }

  private static boolean[] labels(ExampleBuffer rows) {
    boolean[] labels = new boolean[rows.rows()];
    for (int r = 0; r < labels.length; r++) {
      labels[r] = rows.label(r);
    }
    return labels;
  }

  private static TrainingData data(
      ExampleBuffer examples,
      int[] train,
      int[] validation,
      int[] test,
      String split,
      Map<String, Long> counters) {
    counters.put("train_rows", (long) train.length);
    counters.put("validation_rows", (long) validation.length);
    counters.put("test_rows", (long) test.length);
    return new TrainingData(
        examples.select(train),
        examples.select(validation),
        examples.select(test),
        split,
        counters);
  }

  /** Rows in canonical order, refusing an entity twice at one cutoff. */
  private static int[] canonicalUnique(ExampleBuffer examples) {
    int[] order = examples.canonicalOrder();
    for (int i = 1; i < order.length; i++) {
      int r = order[i];
      int previous = order[i - 1];
      if (examples.cutoff(r) == examples.cutoff(previous)
          && examples.id(r).equals(examples.id(previous))) {
        throw new InvalidInputException(
            "entity "
                + examples.id(r)
                + " appears twice at cutoff day "
                + examples.cutoff(r)
                + ": the examples must hold one row per entity and cutoff (check the features task)");
      }
    }
    return order;
  }

  private static int[] rowsWhere(ExampleBuffer examples, int[] order, IntPredicate keep) {
    return IntStream.of(order).filter(r -> examples.hasLabel(r) && keep.test(r)).toArray();
  }

  private static int[] shuffled(int[] rows, Random random) {
    for (int i = rows.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = rows[i];
      rows[i] = rows[j];
      rows[j] = t;
    }
    return rows;
  }

  private static void requireFraction(String option, double fraction) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new InvalidInputException(option + " must be in (0, 1), got " + fraction);
    }
  }

  private static String percent(double fraction) {
    return new BigDecimal(100 * fraction)
        .round(new MathContext(3))
        .stripTrailingZeros()
        .toPlainString();
  }
}
