package io.mlproof.pipelines.score;

import com.microsoft.ml.lightgbm.PredictionType;
import io.github.metarank.lightgbm4j.LGBMBooster;
import io.github.metarank.lightgbm4j.LGBMException;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.model.ExampleDecoder;
import io.mlproof.pipelines.model.LightGbmNative;
import io.mlproof.pipelines.model.ModelArtifact;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;

/**
 * Scores the examples of the scoring day: a ParDo over the example files whose workers each load
 * the model once ({@code @Setup}, verified against the SHA-256 the driver checked), read each file
 * through a 1 MB buffer, decode each record straight into a row of a prediction batch and predict
 * each full batch with LightGBM's own batch prediction, so scoring scales out with the runner's
 * parallelism (the files are spread over the workers). Reading, decoding and predicting are one
 * step: no {@code Example} object is made and no record crosses a coder. Why not Beam's {@code
 * TFRecordIO.read()}: its reader makes three unbuffered reads per record, and Flink's runner
 * updates the metrics after every record a source returns; together over half the stage's worker
 * time (docs/bench/scoring.md). The day is decided before the pipeline runs ({@link ScoringDays}).
 * Output: one {@link ScoredBatch} per batch, without ranks.
 */
final class ScoreExamples extends PTransform<PCollection<String>, PCollection<ScoredBatch>> {
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
  private final int day;
  private final String where;

  /**
   * @param day the scoring day (days since epoch); examples of other days are counted and skipped
   */
  ScoreExamples(Model model, int day, String where) {
    this.model = model;
    this.day = day;
    this.where = where;
  }

  @Override
  public PCollection<ScoredBatch> expand(PCollection<String> files) {
    return files
        .apply("ReadDecodeAndPredict", ParDo.of(new PredictFn(model, day, where)))
        .setCoder(ScoredBatch.CODER);
  }

  /**
   * Reads the day's examples of each file into a batch per bundle and predicts each full batch in
   * one LightGBM call.
   */
  static final class PredictFn extends DoFn<String, ScoredBatch> {
    private final Model model;
    private final int day;
    private final String where;
    private final Counter read = Metrics.counter(ScoreExamples.class, EXAMPLES_READ);
    private final Counter scored = Metrics.counter(ScoreExamples.class, ENTITIES_SCORED);
    private final Counter otherDays = Metrics.counter(ScoreExamples.class, OTHER_DAYS);
    private transient LGBMBooster booster;
    private transient ExampleDecoder decoder;
    private transient byte[] specHash;
    private transient String[] ids;
    private transient double[] values;
    private transient int rows;
    // Counted locally and added to the metrics per batch: a metrics update per record cost more
    // than decoding it.
    private transient long readInBatch;
    private transient long otherDaysInBatch;

    PredictFn(Model model, int day, String where) {
      this.model = model;
      this.day = day;
      this.where = where;
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
      decoder = new ExampleDecoder(model.columns());
      specHash = model.specHash().getBytes(StandardCharsets.US_ASCII);
    }

    @StartBundle
    public void startBundle() {
      ids = new String[BATCH];
      values = new double[BATCH * model.columns()];
      rows = 0;
    }

    @ProcessElement
    public void process(@Element String file, OutputReceiver<ScoredBatch> out) {
      TfRecordFiles.readFile(
          FileSystems.matchNewResource(file, false),
          (bytes, length, name) -> add(bytes, length, out));
    }

    /** One record; {@code bytes} is reused for the next one once this returns. */
    private void add(byte[] bytes, int length, OutputReceiver<ScoredBatch> out) {
      readInBatch++;
      try {
        // Into the batch's next row; a row of another day is overwritten by the next record.
        decoder.decode(bytes, length, values, rows * model.columns());
      } catch (IOException e) {
        throw new RunFailedException(
            "corrupt Example record in " + where + ": " + e.getMessage(), e);
      }
      if (decoder.cutoffDay() != day) {
        otherDaysInBatch++;
        return;
      }
      if (!decoder.hasSpecHash(specHash)) {
        String hash = decoder.specHash();
        throw new InvalidInputException(
            "example "
                + decoder.id()
                + " in "
                + where
                + " was built with"
                + " feature spec "
                + (hash == null ? "" : hash)
                + " but model "
                + model.id()
                + " expects "
                + model.specHash()
                + ": build the features with the model's spec, or retrain on these features");
      }
      if (decoder.features() != model.columns()) {
        throw new InvalidInputException(
            "example "
                + decoder.id()
                + " in "
                + where
                + " has "
                + decoder.features()
                + " feature values but model "
                + model.id()
                + " takes "
                + model.columns()
                + ": rebuild the features with the model's spec");
      }
      ids[rows++] = decoder.id();
      if (rows == BATCH) {
        out.output(predict());
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      ScoredBatch last = predict();
      if (last.size() > 0) {
        context.output(last, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
      }
    }

    @Teardown
    public void teardown() throws LGBMException {
      if (booster != null) {
        booster.close();
      }
    }

    /** Predicts the batch so far and starts the next one (the emitted arrays are never reused). */
    private ScoredBatch predict() {
      if (readInBatch > 0) { // an increment, even by 0, would add the counter to the manifest
        read.inc(readInBatch);
      }
      if (otherDaysInBatch > 0) {
        otherDays.inc(otherDaysInBatch);
      }
      readInBatch = 0;
      otherDaysInBatch = 0;
      if (rows == 0) {
        return new ScoredBatch(new String[0], new double[0]);
      }
      double[] scores;
      try {
        scores =
            booster.predictForMat(
                rows == BATCH ? values : Arrays.copyOf(values, rows * model.columns()),
                rows,
                model.columns(),
                true,
                PredictionType.C_API_PREDICT_NORMAL,
                "num_threads=" + model.threads());
      } catch (LGBMException e) {
        throw new RunFailedException(
            "LightGBM could not score with model " + model.id() + ": " + e.getMessage(), e);
      }
      ScoredBatch batch = new ScoredBatch(rows == BATCH ? ids : Arrays.copyOf(ids, rows), scores);
      scored.inc(rows);
      ids = new String[BATCH];
      rows = 0;
      return batch;
    }
  }
}
