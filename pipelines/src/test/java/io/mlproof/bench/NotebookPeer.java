package io.mlproof.bench;

import io.github.metarank.lightgbm4j.LGBMBooster;
import io.github.metarank.lightgbm4j.LGBMDataset;
import io.github.metarank.lightgbm4j.LGBMException;
import io.mlproof.pipelines.features.FeatureSpecs;
import io.mlproof.pipelines.features.SyntheticWarehouse;
import io.mlproof.pipelines.model.LightGbmNative;
import io.mlproof.pipelines.model.TrainingParameters;
import io.mlproof.pipelines.train.TrainOptions;
import io.mlproof.pipelines.train.TrainPipeline;
import io.mlproof.proto.v1.FeatureSpec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The notebook peer of the demo DAG (issue 15's first performance target): what a data scientist
 * would do in one JVM on the demo warehouse, to be timed against {@code mlproof dags run demo}.
 *
 * <ol>
 *   <li>One DuckDB SQL query over the raw tables computes churn_v1's features and labels at the
 *       demo DAG's four training cutoffs (ds-112, ds-98, ds-70, ds-42) and its scoring cutoff (ds).
 *       The query is the features parity test's reference query ({@code reference_features.sql}),
 *       written independently of the features stage; {@code NotebookPeerTest} proves it returns
 *       exactly the features stage's examples for the demo DAG's options.
 *   <li>The rows are read into one dense row-major matrix, in the train stage's canonical order
 *       (cutoff day, then entity id as text).
 *   <li>LightGBM4J trains with the demo's training parameters (the train stage's defaults, scaled
 *       to the training rows as the train stage scales them), the same time split (train on ds-112
 *       and ds-98, early stopping on ds-70, test on ds-42), the refit on train + validation, and
 *       scores the test rows and the scoring rows. The scores go into a warehouse table, as the
 *       DAG's score task writes its scores.
 * </ol>
 *
 * <p>What the DAG does besides (statistics, validation, the evaluation's bootstrap and baselines,
 * the bless gate, ranks, manifests, the report) the peer leaves out: docs/bench/dag.md names it.
 */
public final class NotebookPeer {
  /** The demo DAG's label horizon (dags/demo.yaml, params.horizon_days). */
  static final int HORIZON_DAYS = 28;

  /** The demo DAG's training cutoffs relative to ds: train, train, validation, test. */
  static final List<Integer> TRAINING_OFFSETS = List.of(-112, -98, -70, -42);

  private static final int TRAIN_BEFORE = -98;
  private static final int VALIDATION = -70;
  private static final int TEST = -42;

  private NotebookPeer() {}

  /**
   * The query's rows: {@code values} holds {@code columns} features per row (spec order, NaN =
   * missing), row-major. Labels of the scoring rows (cutoff ds) are meaningless and never read.
   */
  public record Rows(
      String[] ids, int[] cutoffDays, boolean[] labels, double[] values, int columns) {
    public int rows() {
      return ids.length;
    }

    /** The rows whose cutoff day passes {@code keep}, in order. */
    Rows where(IntPredicate keep) {
      int[] picked = IntStream.range(0, rows()).filter(r -> keep.test(cutoffDays[r])).toArray();
      double[] v = new double[picked.length * columns];
      boolean[] l = new boolean[picked.length];
      for (int i = 0; i < picked.length; i++) {
        System.arraycopy(values, picked[i] * columns, v, i * columns, columns);
        l[i] = labels[picked[i]];
      }
      return new Rows(
          IntStream.of(picked).mapToObj(r -> ids[r]).toArray(String[]::new),
          IntStream.of(picked).map(r -> cutoffDays[r]).toArray(),
          l,
          v,
          columns);
    }
  }

  /** The trained model and what it scored. */
  public record Result(
      String modelText,
      int bestIteration,
      int iterationsRun,
      double[] testScores,
      double[] scores) {}

  /** The demo DAG's cutoffs for logical date {@code ds}: the training ones, then ds itself. */
  static List<String> cutoffs(LocalDate ds) {
    List<String> out = new ArrayList<>();
    TRAINING_OFFSETS.forEach(d -> out.add(ds.plusDays(d).toString()));
    out.add(ds.toString());
    return out;
  }

  /** Runs the one query and reads its rows into the matrix. */
  public static Rows query(Connection warehouse, LocalDate ds, FeatureSpec spec)
      throws SQLException {
    return query(warehouse, ds, spec, nanos -> {});
  }

  /**
   * {@link #query(Connection, LocalDate, FeatureSpec)}, telling {@code executed} how many
   * nanoseconds DuckDB took before the first row could be read (the rest is reading over JDBC).
   */
  public static Rows query(
      Connection warehouse, LocalDate ds, FeatureSpec spec, LongConsumer executed)
      throws SQLException {
    List<String> names = FeatureSpecs.featureNames(spec);
    String sql =
        SyntheticWarehouse.referenceQuery(cutoffs(ds), HORIZON_DAYS)
            + "\nORDER BY cutoff_day, CAST(f.user_id AS VARCHAR)";
    List<String> ids = new ArrayList<>();
    List<Integer> cutoffDays = new ArrayList<>();
    List<Boolean> labels = new ArrayList<>();
    DoubleArray values = new DoubleArray();
    long start = System.nanoTime();
    try (Statement s = warehouse.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      executed.accept(System.nanoTime() - start);
      int[] column = new int[names.size()];
      for (int f = 0; f < column.length; f++) {
        column[f] = r.findColumn(names.get(f));
      }
      int label = r.findColumn("label");
      while (r.next()) {
        ids.add(Long.toString(r.getLong(1)));
        cutoffDays.add(r.getInt(2));
        labels.add(r.getBoolean(label));
        for (int c : column) {
          double v = r.getDouble(c);
          values.add(r.wasNull() ? Double.NaN : v);
        }
      }
    }
    boolean[] l = new boolean[labels.size()];
    for (int i = 0; i < l.length; i++) {
      l[i] = labels.get(i);
    }
    return new Rows(
        ids.toArray(String[]::new),
        cutoffDays.stream().mapToInt(Integer::intValue).toArray(),
        l,
        values.toArray(),
        names.size());
  }

  /**
   * The demo's training parameters: the train stage's option defaults (the demo DAG sets none),
   * with the leaf sizes scaled to {@code trainRows} exactly as the train stage scales them.
   */
  static String parameters(int trainRows) {
    TrainingParameters p =
        TrainPipeline.parameters(PipelineOptionsFactory.create().as(TrainOptions.class));
    return p.resolvedFor(trainRows).lightgbm(new int[0]).entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .reduce((a, b) -> a + " " + b)
        .orElseThrow();
  }

  /**
   * Trains with early stopping on the validation cutoff, refits on train + validation with the
   * chosen round count, and scores the test rows and the scoring rows (cutoff ds).
   */
  public static Result trainAndScore(Rows all, LocalDate ds, List<String> featureNames)
      throws LGBMException {
    int day = (int) ds.toEpochDay();
    Rows train = all.where(c -> c <= day + TRAIN_BEFORE);
    Rows validation = all.where(c -> c == day + VALIDATION);
    Rows learned = all.where(c -> c <= day + VALIDATION);
    Rows test = all.where(c -> c == day + TEST);
    Rows scoring = all.where(c -> c == day);
    TrainOptions defaults = PipelineOptionsFactory.create().as(TrainOptions.class);
    String parameters = parameters(train.rows());
    String[] names = featureNames.toArray(String[]::new);
    LightGbmNative.load();
    int bestIteration = 0;
    int iteration = 0;
    try (LGBMDataset t = dataset(train, parameters, null, names);
        LGBMDataset v = dataset(validation, parameters, t, names);
        LGBMBooster booster = LGBMBooster.create(t, parameters)) {
      booster.addValidData(v);
      // A notebook's own early-stopping loop (LightGBM4J has no callbacks): the train stage's rule,
      // written again on purpose, since the peer uses LightGBM4J alone, not mlproof's trainer.
      double best = Double.POSITIVE_INFINITY;
      int patience = defaults.getEarlyStoppingRounds();
      while (iteration < defaults.getNumIterations()) {
        boolean finished = booster.updateOneIter();
        iteration++;
        double loss = booster.getEval(1)[0];
        if (loss < best) {
          best = loss;
          bestIteration = iteration;
        } else if (iteration - bestIteration >= patience) {
          break;
        }
        if (finished) {
          break;
        }
      }
    }
    try (LGBMDataset d = dataset(learned, parameters, null, names);
        LGBMBooster booster = LGBMBooster.create(d, parameters)) {
      for (int i = 0; i < bestIteration && !booster.updateOneIter(); i++) {}
      String threads = "num_threads=" + defaults.getNumThreads();
      return new Result(
          booster.saveModelToString(0, -1, LGBMBooster.FeatureImportanceType.GAIN),
          bestIteration,
          iteration,
          predict(booster, test, threads),
          predict(booster, scoring, threads));
    }
  }

  private static double[] predict(LGBMBooster booster, Rows rows, String parameters)
      throws LGBMException {
    return booster.predictForMat(
        rows.values(),
        rows.rows(),
        rows.columns(),
        true,
        com.microsoft.ml.lightgbm.PredictionType.C_API_PREDICT_NORMAL,
        parameters);
  }

  private static LGBMDataset dataset(
      Rows rows, String parameters, LGBMDataset reference, String[] names) throws LGBMException {
    LGBMDataset d =
        LGBMDataset.createFromMat(
            rows.values(), rows.rows(), rows.columns(), true, parameters, reference);
    float[] labels = new float[rows.rows()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = rows.labels()[i] ? 1f : 0f;
    }
    d.setField("label", labels);
    d.setFeatureNames(names);
    return d;
  }

  /** Writes the scoring rows' scores into {@code table} (replaced), as the score task does. */
  static void writeScores(Connection warehouse, String table, Rows all, LocalDate ds, double[] s)
      throws SQLException {
    int day = (int) ds.toEpochDay();
    Rows scoring = all.where(c -> c == day);
    try (Statement st = warehouse.createStatement()) {
      st.execute(
          "CREATE OR REPLACE TABLE "
              + table
              + " (entity_id VARCHAR, score DOUBLE, score_date DATE)");
    }
    try (DuckDBAppender a =
        warehouse.unwrap(DuckDBConnection.class).createAppender("main", table)) {
      for (int i = 0; i < s.length; i++) {
        a.beginRow();
        a.append(scoring.ids()[i]);
        a.append(s[i]);
        a.append(ds);
        a.endRow();
      }
    }
  }

  /** A growable double array: the query's row count is not known before it is read. */
  private static final class DoubleArray {
    private double[] a = new double[1 << 16];
    private int n;

    void add(double v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }

    double[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }
}
