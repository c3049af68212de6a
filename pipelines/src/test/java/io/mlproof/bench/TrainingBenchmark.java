package io.mlproof.bench;

import com.microsoft.ml.lightgbm.PredictionType;
import io.github.metarank.lightgbm4j.LGBMBooster;
import io.github.metarank.lightgbm4j.LGBMException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.features.FeatureSpecs;
import io.mlproof.pipelines.model.ExampleBuffer;
import io.mlproof.pipelines.model.ExampleMatrix;
import io.mlproof.pipelines.model.ExampleReader;
import io.mlproof.pipelines.model.LightGbmNative;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.pipelines.train.TrainOptions;
import io.mlproof.pipelines.train.TrainPipeline;
import io.mlproof.proto.v1.Example;
import io.mlproof.proto.v1.Feature;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.FeatureType;
import io.mlproof.proto.v1.LabelSpec;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * The training stage on 1,000,000 x 30 examples with 2 threads: how much of its wall time is
 * mlproof's own (reading records, assembling the matrix, sorting, hashing, copies) and how much is
 * LightGBM's (dataset binning, boosting, prediction), all measured in the same run. Also scoring
 * against LightGBM4J's own batch prediction on the same matrix.
 *
 * <p>Run: {@code bin/mlproof-bench Training} (arguments: the bench output directory, where the
 * examples are generated and deleted afterwards; optionally a file to copy the markdown to, the
 * number of rows and of threads). The markdown goes to stdout. Set {@code OMP_WAIT_POLICY=PASSIVE}
 * on a shared machine (see docs/TRAINING.md).
 */
public final class TrainingBenchmark {
  private static final int FEATURES = 30;
  private static final int[] CUTOFFS = {19800, 19830, 19860, 19890};

  private TrainingBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "build/bench");
    Files.createDirectories(out);
    Path work = Files.createTempDirectory(out, "training-");
    Path report = args.length > 1 ? Path.of(args[1]) : null;
    int rows = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
    LightGbmNative.load();
    try {
      run(work, report, rows, threads);
    } finally {
      try (var files = Files.walk(work)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void run(Path work, Path report, int rows, int threads) throws Exception {
    FeatureSpec spec = spec();
    long t0 = System.nanoTime();
    String features = writeExamples(work.resolve("features"), spec, rows);
    long generate = System.nanoTime() - t0;
    long bytes = 0;
    try (var files = Files.list(work.resolve("features"))) {
      for (Path f : files.toList()) {
        bytes += Files.size(f);
      }
    }

    // 1. Raw scan of the TFRecord files (framing and checksums only): the floor for any reader.
    t0 = System.nanoTime();
    long[] count = {0};
    TfRecordFiles.read(TaskOutput.filePattern(features, "records"), (b, len, file) -> count[0]++);
    long scan = System.nanoTime() - t0;

    // 2. The whole training stage as `mlproof run train` runs it: 100 iterations, 63 leaves, 2
    // threads.
    TrainOptions options = trainOptions(features, work.resolve("train"), threads);
    t0 = System.nanoTime();
    TrainPipeline.Result trained =
        TrainPipeline.run(
            options, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    long stage = System.nanoTime() - t0;
    Map<String, String> timing = trained.manifest().getAttributesMap();

    // 3. Scoring: the matrix of all rows through ModelArtifact.predict (what score calls) and
    // through LightGBM4J's predictForMat directly, same matrix, same threads.
    ExampleBuffer all = ExampleReader.readExamples(features, spec);
    ExampleMatrix matrix = all.select(all.canonicalOrder());
    ModelArtifact model = ModelArtifact.load(trained.outputDir());
    t0 = System.nanoTime();
    double[] ours = model.predict(matrix, threads);
    long predictOurs = System.nanoTime() - t0;
    t0 = System.nanoTime();
    double[] direct;
    try (LGBMBooster booster = LGBMBooster.loadModelFromString(model.modelText())) {
      direct = predictForMat(booster, matrix, threads);
    }
    long predictDirect = System.nanoTime() - t0;
    if (!java.util.Arrays.equals(ours, direct)) {
      throw new IllegalStateException("scoring and LightGBM4J disagree");
    }

    long read = ms(timing, "read_examples");
    long hash = ms(timing, "hash_input");
    long dataset = ms(timing, "dataset");
    long boosting = ms(timing, "boosting");
    long other = ms(timing, "training_other");
    long predict = ms(timing, "predict_validation");
    long evaluate = ms(timing, "evaluate");
    long write = ms(timing, "write_output");
    long stageMs = stage / 1_000_000;
    long lightgbm = dataset + boosting + predict;
    long dataPath = read + hash + other;
    StringBuilder md = new StringBuilder();
    md.append("# Training stage benchmark\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "`%s`, %,d examples x %d features (4 cutoffs, newest = validation: %,d"
                + " training rows, %,d validation rows), %d TFRecord shards, %.0f MB; 100 iterations,"
                + " num_leaves=63, "
                + threads
                + " threads; %d cores, load average at start %s, OMP_WAIT_POLICY=%s."
                + " Generated in %.1f s (not timed below).%n%n",
            TrainingBenchmark.class.getSimpleName(),
            rows,
            FEATURES,
            trained.manifest().getCountersMap().get("train_rows"),
            trained.manifest().getCountersMap().get("validation_rows"),
            2,
            bytes / 1e6,
            Runtime.getRuntime().availableProcessors(),
            loadAverage(),
            System.getenv("OMP_WAIT_POLICY"),
            generate / 1e9));
    md.append("| step | what | ms | share of stage |\n|---|---|---:|---:|\n");
    row(
        md,
        "read + assemble + split",
        "mlproof: TFRecords decoded into one double[], sorted (cutoff, id), split by time",
        read,
        stageMs);
    row(md, "input hash", "mlproof: SHA-256 of the canonical rows (metadata)", hash, stageMs);
    row(md, "dataset", "LightGBM: createFromMat (train + validation, binning)", dataset, stageMs);
    row(md, "boosting", "LightGBM: 100 iterations", boosting, stageMs);
    row(
        md,
        "training other",
        "mlproof: labels, rollback, in-sample scores, model text",
        other,
        stageMs);
    row(
        md,
        "predict validation",
        "LightGBM: batch prediction of the validation rows",
        predict,
        stageMs);
    row(
        md,
        "evaluate",
        "mlproof: metrics, baselines, heuristic grid search, verdict",
        evaluate,
        stageMs);
    row(
        md,
        "write output",
        "mlproof: model, metadata, evaluation, predictions, validation rows",
        write,
        stageMs);
    row(md, "**stage (wall)**", "", stageMs, stageMs);
    md.append(
        String.format(
            Locale.ROOT,
            "%nRaw TFRecord scan (framing + CRC32C only, no decoding): %d ms for %,d records.%n",
            scan / 1_000_000,
            count[0]));
    md.append(
        String.format(
            Locale.ROOT,
            "%n**mlproof's data path around LightGBM** (read + assemble + split + hash + copies): %d ms = **%.1f%%** of"
                + " the stage; LightGBM itself (dataset + boosting + prediction): %d ms = %.1f%%. With evaluation and"
                + " writing the outputs, everything that is not LightGBM: %d ms = %.1f%%.%n",
            dataPath,
            100.0 * dataPath / stageMs,
            lightgbm,
            100.0 * lightgbm / stageMs,
            stageMs - lightgbm,
            100.0 * (stageMs - lightgbm) / stageMs));
    md.append(
        String.format(
            Locale.ROOT,
            "%n**Scoring** %,d rows: `ModelArtifact.predict` (what `score` calls) %d ms = %,.0f rows/s;"
                + " LightGBM4J `predictForMat` directly on the same matrix %d ms = %,.0f rows/s (ratio %.2f;"
                + " identical scores).%n",
            matrix.rows(),
            predictOurs / 1_000_000,
            matrix.rows() / (predictOurs / 1e9),
            predictDirect / 1_000_000,
            matrix.rows() / (predictDirect / 1e9),
            (double) predictOurs / predictDirect));
    System.out.print(md);
    if (report != null) {
      Files.createDirectories(report.toAbsolutePath().getParent());
      Files.writeString(report, md.toString());
    }
  }

  /** LightGBM4J's own batch prediction of a whole row-major matrix: the benchmarks' peer. */
  static double[] predictForMat(LGBMBooster booster, ExampleMatrix matrix, int threads)
      throws LGBMException {
    return booster.predictForMat(
        matrix.values(),
        matrix.rows(),
        matrix.columns(),
        true,
        PredictionType.C_API_PREDICT_NORMAL,
        "num_threads=" + threads);
  }

  /** The benchmarks' training settings: 100 iterations, 63 leaves, no early stopping. */
  static TrainOptions trainOptions(String features, Path output, int threads) {
    return PipelineOptionsFactory.fromArgs(
            "--examples=" + features,
            "--output=" + output,
            "--numIterations=100",
            "--earlyStoppingRounds=0",
            "--numLeaves=63",
            "--learningRate=0.1",
            "--numThreads=" + threads,
            "--heuristicFeatures=f0")
        .as(TrainOptions.class);
  }

  private static long ms(Map<String, String> timing, String step) {
    return Long.parseLong(timing.getOrDefault("timing_ms." + step, "0"));
  }

  private static void row(StringBuilder md, String step, String what, long ms, long stage) {
    md.append(
        String.format(
            Locale.ROOT, "| %s | %s | %,d | %.1f%% |%n", step, what, ms, 100.0 * ms / stage));
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "n/a";
    }
  }

  static FeatureSpec spec() {
    FeatureSpec.Builder spec =
        FeatureSpec.newBuilder()
            .setName("bench")
            .setVersion(1)
            .setLabel(LabelSpec.newBuilder().setName("churned").setHorizonDays(30));
    for (int i = 0; i < FEATURES; i++) {
      spec.addFeatures(
          Feature.newBuilder()
              .setName("f" + i)
              .setType(i == FEATURES - 1 ? FeatureType.CATEGORICAL : FeatureType.NUMERIC));
    }
    return spec.build();
  }

  /** Rows spread over four cutoffs, two shards; the label depends on a handful of features. */
  static String writeExamples(Path dir, FeatureSpec spec, int rows) throws IOException {
    TaskOutput output = TaskOutput.begin(dir.toString());
    String hash = FeatureSpecs.hash(spec);
    SplittableRandom random = new SplittableRandom(1);
    List<TfRecordFiles.Writer> shards = new ArrayList<>();
    for (int s = 0; s < 2; s++) {
      shards.add(
          new TfRecordFiles.Writer(
              output.staging(String.format("records-%05d-of-00002.tfrecord", s))));
    }
    double[] x = new double[FEATURES];
    for (int r = 0; r < rows; r++) {
      Example.Builder e =
          Example.newBuilder()
              .setEntityId(Integer.toString(r / CUTOFFS.length))
              .setCutoffDay(CUTOFFS[r % CUTOFFS.length])
              .setHasLabel(true)
              .setFeatureSpecHash(hash);
      for (int i = 0; i < FEATURES - 1; i++) {
        x[i] = random.nextDouble() < 0.02 ? Double.NaN : random.nextGaussian();
      }
      x[FEATURES - 1] = random.nextInt(20);
      double logit =
          -1.5
              + zero(x[0])
              - 0.8 * zero(x[1])
              + 0.5 * zero(x[2]) * zero(x[3])
              + (x[FEATURES - 1] % 3 == 0 ? 0.7 : 0);
      e.setLabel(random.nextDouble() < 1 / (1 + Math.exp(-logit)));
      for (double v : x) {
        e.addFeatures(v);
      }
      shards.get(r % 2).write(e.build().toByteArray());
    }
    commitFeatures(output, spec, shards, rows);
    return dir.toString();
  }

  /** Closes the record shards, stages the spec and commits a features output holding them. */
  static void commitFeatures(
      TaskOutput output, FeatureSpec spec, List<TfRecordFiles.Writer> shards, long rows)
      throws IOException {
    for (TfRecordFiles.Writer w : shards) {
      w.close();
    }
    ModelArtifact.write(
        output.staging("feature_spec.json"),
        ModelArtifact.json(spec).getBytes(StandardCharsets.UTF_8),
        MimeTypes.TEXT);
    output.commit(
        Manifest.newBuilder()
            .setPipeline("features")
            .addFiles(
                OutputFile.newBuilder()
                    .setName("records")
                    .setPath(String.format("records-*-of-%05d.tfrecord", shards.size()))
                    .setRecords(rows))
            .addFiles(
                OutputFile.newBuilder()
                    .setName(FeatureSpecs.OUTPUT_NAME)
                    .setPath("feature_spec.json"))
            .build());
  }

  private static double zero(double v) {
    return Double.isNaN(v) ? 0 : v;
  }
}
