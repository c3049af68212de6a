package io.mlproof.pipelines.bless;

import io.mlproof.pipelines.core.FileBytes;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.Stage;
import io.mlproof.pipelines.core.StageRun;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.evaluate.BlessCriteria;
import io.mlproof.pipelines.evaluate.Confusion;
import io.mlproof.pipelines.evaluate.Metrics;
import io.mlproof.pipelines.evaluate.Verdicts;
import io.mlproof.pipelines.model.ExampleBuffer;
import io.mlproof.pipelines.model.ExampleMatrix;
import io.mlproof.pipelines.model.ExampleReader;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.proto.v1.Blessing;
import io.mlproof.proto.v1.ClassificationMetrics;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OperatingPoint;
import io.mlproof.proto.v1.OutputFile;
import io.mlproof.proto.v1.Verdict;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * {@code mlproof run bless}: what TFX's Evaluator does. A model is blessed only when its F1 lead
 * over the best baseline on the test rows (the lower bound of its 95% interval, or the point
 * estimate: {@code --blessRule}) reaches {@code --blessMargin} and, if a previously blessed model
 * exists, it does not fall behind it by more than {@code --tolerance} F1 on the new model's test
 * rows (the previous model is re-scored on them). A blessed model is copied into the output with
 * its blessing, so the output is the model scoring uses. An unblessed model still gets its report
 * (blessing.json, no model), and the task fails (exit 1), which stops the DAG before scoring.
 */
public final class BlessPipeline implements Stage<BlessOptions> {
  public static final String NAME = "bless";
  private static final double SLACK = 1e-12;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Bless a trained model if it beats the baselines by the margin and keeps up with the"
        + " previously blessed model; otherwise stop the DAG before scoring.";
  }

  @Override
  public Class<BlessOptions> optionsType() {
    return BlessOptions.class;
  }

  /**
   * Decides, writes and commits the blessing; throws {@link RunFailedException} when not blessed.
   */
  public static Blessing run(BlessOptions options, PrintStream out) {
    StageRun.execute(new BlessPipeline(), options, out);
    return Blessings.read(options.getOutput()).orElseThrow();
  }

  @Override
  public Plan prepare(BlessOptions options) {
    if (!(options.getTolerance() >= 0 && options.getTolerance() < 1)) {
      throw new InvalidInputException(
          "--tolerance must be in [0, 1), got " + options.getTolerance());
    }
    criteria(options);
    ModelArtifact.load(options.getModel()); // verified against its manifest before any work
    return new BlessPlan(options.getModel(), options.getOutput());
  }

  /**
   * A one-element pipeline: the decision is inherently single-machine (one model, a few thousand
   * test rows), and running it as a step gives it the stage contract and the runner in the manifest
   * like every stage.
   */
  private record BlessPlan(String modelDir, String outputDir) implements Plan {

    @Override
    public void expand(Pipeline pipeline, TaskOutput output) {
      pipeline
          .apply("Model", Create.of(modelDir))
          .apply("DecideBlessing", ParDo.of(new DecideFn(output.staging(Blessings.FILE))));
    }

    @Override
    public void finish(
        StageRun.Finished finished, TaskOutput output, Manifest.Builder manifest, PrintStream out) {
      String staged = output.staging(Blessings.FILE);
      Blessing blessing;
      try {
        blessing = Blessings.parse(FileBytes.read(staged), staged);
      } catch (IOException e) {
        throw new RunFailedException(
            "cannot read the staged blessing " + staged + ": " + e.getMessage(), e);
      }
      manifest.addFiles(
          OutputFile.newBuilder().setName(Blessings.OUTPUT_NAME).setPath(Blessings.FILE));
      if (blessing.getBlessed()) {
        manifest.addAllFiles(ModelArtifact.load(modelDir).writeTo(output));
      }
      manifest
          .putAttributes("model_id", blessing.getModelId())
          .putAttributes("blessed", Boolean.toString(blessing.getBlessed()));
      out.println(blessing.getSummary());
    }

    @Override
    public void committed(Manifest manifest) {
      Blessing blessing = Blessings.read(outputDir).orElseThrow();
      if (!blessing.getBlessed()) {
        throw new RunFailedException(
            "model "
                + blessing.getModelId()
                + " is not blessed: "
                + String.join("; ", blessing.getReasonsList())
                + " (downstream scoring stops here)");
      }
    }
  }

  /** Loads the model on the worker, decides, and stages blessing.json. */
  static final class DecideFn extends DoFn<String, Void> {
    private final String blessingFile;

    DecideFn(String blessingFile) {
      this.blessingFile = blessingFile;
    }

    @ProcessElement
    public void process(@Element String modelDir, PipelineOptions options) {
      Blessing blessing = decide(ModelArtifact.load(modelDir), options.as(BlessOptions.class));
      ModelArtifact.write(
          blessingFile,
          ModelArtifact.json(blessing).getBytes(StandardCharsets.UTF_8),
          MimeTypes.TEXT);
    }
  }

  static BlessCriteria criteria(BlessOptions options) {
    double margin = options.getBlessMargin();
    if (!(margin >= 0 && margin < 1)) {
      throw new InvalidInputException(
          "--blessMargin must be in [0, 1) (absolute F1), got " + margin);
    }
    return new BlessCriteria(margin, options.getBlessRule());
  }

  /**
   * The decision alone, without writing anything. The verdict against the baselines is decided
   * again here from the recorded evaluation (lead and interval) under this stage's margin and rule.
   */
  public static Blessing decide(ModelArtifact model, BlessOptions options) {
    BlessCriteria criteria = criteria(options);
    Verdict verdict = Verdicts.againstBaselines(model.metadata().getEvaluation(), criteria);
    ClassificationMetrics metrics = model.metadata().getEvaluation().getModel();
    Blessing.Builder blessing =
        Blessing.newBuilder()
            .setModelId(model.id())
            .setModelSha256(model.metadata().getModelSha256())
            .setMetadataSha256(model.metadataSha256())
            .setVerdict(verdict)
            .setModelF1(metrics.getF1())
            .setTolerance(options.getTolerance())
            .setMargin(criteria.margin())
            .setBlessRule(criteria.rule().proto())
            .setCreatedAtMicros(System.currentTimeMillis() * 1000);
    List<String> reasons = new ArrayList<>();
    if (!verdict.getBlessed()) {
      reasons.addAll(
          verdict.getReasonsList().isEmpty()
              ? List.of(verdict.getSummary())
              : verdict.getReasonsList());
    }
    String previousNote = "";
    if (!options.getPreviousModel().isEmpty()) {
      String previousDir = options.getPreviousModel();
      Blessing previousBlessing =
          Blessings.read(previousDir)
              .filter(Blessing::getBlessed)
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          "--previousModel="
                              + previousDir
                              + " is not a blessed model (no positive blessing there):"
                              + " point it at the output of a bless task that passed, or leave it out"));
      ModelArtifact previous = ModelArtifact.load(previousDir);
      boolean sameRows =
          previous.metadata().getFeatureSpecHash().equals(model.metadata().getFeatureSpecHash());
      double previousF1 =
          sameRows
              ? f1OnTestRows(previous, model, options.getModel(), options.getNumThreads())
              : previous.metadata().getEvaluation().getModel().getF1();
      blessing
          .setPreviousModelId(previousBlessing.getModelId())
          .setPreviousModelF1(previousF1)
          .setComparedOnSameRows(sameRows);
      String where =
          sameRows
              ? "on the same test rows"
              : "on its own test rows (its feature spec differs, so it cannot score these)";
      if (metrics.getF1() + options.getTolerance() + SLACK < previousF1) {
        reasons.add(
            String.format(
                Locale.ROOT,
                "it falls behind the previously blessed model %s by %.3f F1 (%.3f vs %.3f %s), more than the"
                    + " tolerance of %.3f",
                previous.id(),
                previousF1 - metrics.getF1(),
                metrics.getF1(),
                previousF1,
                where,
                options.getTolerance()));
      } else {
        previousNote =
            String.format(
                Locale.ROOT,
                " It keeps up with the previously blessed model %s (F1 %.3f vs %.3f %s, tolerance %.3f).",
                previous.id(),
                metrics.getF1(),
                previousF1,
                where,
                options.getTolerance());
      }
    }
    boolean blessed = reasons.isEmpty();
    return blessing
        .setBlessed(blessed)
        .addAllReasons(reasons)
        .setSummary(
            blessed
                ? "Model " + model.id() + " is blessed. " + verdict.getSummary() + previousNote
                : "Model " + model.id() + " is NOT blessed: " + String.join("; ", reasons) + ".")
        .build();
  }

  /**
   * F1 of {@code previous} on {@code model}'s test rows, at the previous model's own operating
   * point.
   */
  static double f1OnTestRows(
      ModelArtifact previous, ModelArtifact model, String modelDir, int threads) {
    String pattern = TaskOutput.verifiedFilePattern(modelDir, ModelArtifact.TEST_ROWS);
    ExampleBuffer rows = ExampleReader.read(pattern, model.metadata().getFeatureSpec(), 0);
    ExampleMatrix matrix = rows.select(rows.canonicalOrder());
    double[] scores = previous.predict(matrix, threads);
    ClassificationMetrics point = previous.metadata().getEvaluation().getModel();
    boolean[] targeted;
    if (point.getOperatingPoint().getRule() == OperatingPoint.Rule.TOP_K) {
      Metrics.Ranked ranked = new Metrics.Ranked(scores, matrix.labels());
      targeted =
          ranked.topK(Math.round(point.getOperatingPoint().getTargetedFraction() * scores.length));
    } else {
      double threshold = point.getOperatingPoint().getThreshold();
      targeted = new boolean[scores.length];
      for (int i = 0; i < scores.length; i++) {
        targeted[i] = scores[i] >= threshold;
      }
    }
    return Confusion.of(targeted, matrix.labels()).f1();
  }
}
