package io.mlproof.pipelines.score;

import com.microsoft.ml.lightgbm.PredictionType;
import io.github.metarank.lightgbm4j.LGBMBooster;
import io.github.metarank.lightgbm4j.LGBMException;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.model.LightGbmNative;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.proto.v1.Example;
import io.mlproof.proto.v1.Score;
import java.io.Serializable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Scores the examples of the scoring day: a ParDo whose workers each load the model once
 * ({@code @Setup}, verified against the SHA-256 the driver checked) and predict in batches with
 * LightGBM's own batch prediction, so scoring scales out with the runner's parallelism. The day is
 * the logical date's, or the newest cutoff in the examples (a side input of the distinct days).
 * Output: Score records without a rank.
 */
final class ScoreExamples extends PTransform<PCollection<Example>, PCollection<Score>> {
  static final String EXAMPLES_READ = "examples_read";
  static final String ENTITIES_SCORED = "entities_scored";
  static final String OTHER_DAYS = "examples_other_days_skipped";

  /**
   * Rows per LightGBM call: large enough that the call overhead vanishes, small enough to stream.
   */
  static final int BATCH = 4096;

  /** What a worker needs to load and check the model. */
  record Model(String dir, String modelSha256, String id, String specHash, int columns, int threads)
      implements Serializable {}

  private final Model model;
  private final Integer day;
  private final String where;

  /**
   * @param day the scoring day (days since epoch), or null for the newest cutoff
   */
  ScoreExamples(Model model, Integer day, String where) {
    this.model = model;
    this.day = day;
    this.where = where;
  }

  @Override
  public PCollection<Score> expand(PCollection<Example> examples) {
    PCollectionView<List<Integer>> days =
        examples
            .apply(
                "CutoffDays",
                MapElements.into(TypeDescriptors.integers()).via(Example::getCutoffDay))
            .apply("DistinctDays", Distinct.create())
            .apply("AsList", View.asList());
    return examples
        .apply("Predict", ParDo.of(new PredictFn(model, day, where, days)).withSideInputs(days))
        .setCoder(ProtoCoder.of(Score.class));
  }

  /** Batches the day's examples per bundle and predicts each batch in one LightGBM call. */
  static final class PredictFn extends DoFn<Example, Score> {
    private final Model model;
    private final Integer day;
    private final String where;
    private final PCollectionView<List<Integer>> days;
    private final Counter read = Metrics.counter(ScoreExamples.class, EXAMPLES_READ);
    private final Counter scored = Metrics.counter(ScoreExamples.class, ENTITIES_SCORED);
    private final Counter otherDays = Metrics.counter(ScoreExamples.class, OTHER_DAYS);
    private transient LGBMBooster booster;
    private transient List<String> ids;
    private transient double[] values;
    private transient int scoreDay;
    private transient boolean dayKnown;

    PredictFn(Model model, Integer day, String where, PCollectionView<List<Integer>> days) {
      this.model = model;
      this.day = day;
      this.where = where;
      this.days = days;
    }

    @Setup
    public void setup() throws LGBMException {
      ModelArtifact artifact = ModelArtifact.load(model.dir());
      if (!artifact.metadata().getModelSha256().equals(model.modelSha256())) {
        throw new InvalidInputException(
            "the model in "
                + model.dir()
                + " changed while scoring ("
                + model.modelSha256()
                + " became "
                + artifact.metadata().getModelSha256()
                + "): re-run the score task");
      }
      LightGbmNative.load();
      booster = LGBMBooster.loadModelFromString(artifact.modelText());
      if (booster.getNumFeature() != model.columns()) {
        throw new InvalidInputException(
            "model "
                + model.id()
                + " takes "
                + booster.getNumFeature()
                + " features but its spec has "
                + model.columns()
                + ": retrain the model");
      }
    }

    @StartBundle
    public void startBundle() {
      ids = new ArrayList<>();
      values = new double[BATCH * model.columns()];
    }

    @ProcessElement
    public void process(@Element Example example, ProcessContext context) {
      read.inc();
      if (!dayKnown) {
        scoreDay = scoreDay(context.sideInput(days));
        dayKnown = true;
      }
      if (example.getCutoffDay() != scoreDay) {
        otherDays.inc();
        return;
      }
      if (!example.getFeatureSpecHash().equals(model.specHash())) {
        throw new InvalidInputException(
            "example "
                + example.getEntityId()
                + " in "
                + where
                + " was built with"
                + " feature spec "
                + example.getFeatureSpecHash()
                + " but model "
                + model.id()
                + " expects "
                + model.specHash()
                + ": build the features with the model's spec, or retrain on these features");
      }
      if (example.getFeaturesCount() != model.columns()) {
        throw new InvalidInputException(
            "example "
                + example.getEntityId()
                + " in "
                + where
                + " has "
                + example.getFeaturesCount()
                + " feature values but model "
                + model.id()
                + " takes "
                + model.columns()
                + ": rebuild the features with the model's spec");
      }
      int row = ids.size();
      for (int c = 0; c < model.columns(); c++) {
        values[row * model.columns() + c] = example.getFeatures(c);
      }
      ids.add(example.getEntityId());
      if (ids.size() == BATCH) {
        predict().forEach(context::output);
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      predict()
          .forEach(
              score ->
                  context.output(score, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE));
    }

    @Teardown
    public void teardown() throws LGBMException {
      if (booster != null) {
        booster.close();
      }
    }

    /** The logical date's day, which must be among the examples' days, else the newest one. */
    private int scoreDay(List<Integer> present) {
      TreeSet<Integer> sorted = new TreeSet<>(present);
      if (day == null) {
        return sorted.last(); // there is an example, so there is a day
      }
      if (!sorted.contains(day)) {
        throw new InvalidInputException(
            "the features output "
                + where
                + " has no examples at "
                + LocalDate.ofEpochDay(day)
                + " (it has "
                + sorted.stream().map(d -> LocalDate.ofEpochDay(d).toString()).toList()
                + "): run the features task for the scoring date");
      }
      return day;
    }

    private List<Score> predict() {
      int rows = ids.size();
      if (rows == 0) {
        return List.of();
      }
      double[] scores;
      try {
        scores =
            booster.predictForMat(
                rows == BATCH ? values : java.util.Arrays.copyOf(values, rows * model.columns()),
                rows,
                model.columns(),
                true,
                PredictionType.C_API_PREDICT_NORMAL,
                "num_threads=" + model.threads());
      } catch (LGBMException e) {
        throw new RunFailedException(
            "LightGBM could not score with model " + model.id() + ": " + e.getMessage(), e);
      }
      List<Score> out = new ArrayList<>(rows);
      for (int i = 0; i < rows; i++) {
        out.add(
            Score.newBuilder()
                .setEntityId(ids.get(i))
                .setScore(scores[i])
                .setModelId(model.id())
                .setScoreDay(scoreDay)
                .build());
      }
      scored.inc(rows);
      ids.clear();
      return out;
    }
  }
}
