package io.mlproof.bench;

import com.google.protobuf.CodedInputStream;
import io.github.metarank.lightgbm4j.LGBMBooster;
import io.mlproof.pipelines.core.StageRun;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.features.FeatureSpecs;
import io.mlproof.pipelines.model.ExampleBuffer;
import io.mlproof.pipelines.model.ExampleMatrix;
import io.mlproof.pipelines.model.ExampleReader;
import io.mlproof.pipelines.model.LightGbmNative;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.pipelines.score.ScoreOptions;
import io.mlproof.pipelines.score.ScorePipeline;
import io.mlproof.pipelines.train.TrainOptions;
import io.mlproof.pipelines.train.TrainPipeline;
import io.mlproof.proto.v1.Example;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.Score;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Issue 11's scaling check: the score stage on Flink's embedded local cluster at parallelism p
 * against LightGBM4J's own batch prediction ({@code predictForMat}, the fastest batch call: one
 * native call on a dense row-major matrix) on one core, measured in the same run. The figure is the
 * per-row time ratio (score stage wall on Flink) / (predictForMat wall on one thread / p); target:
 * at most 1.
 *
 * <p>Data (synthetic, generated here): the {@link TrainingBenchmark} world, 30 features (one
 * categorical); the model is trained by the train stage on 100,000 of its rows (100 iterations, 63
 * leaves); the scoring set is 1,000,000 fresh rows of the same world at one cutoff day, in four
 * TFRecord shards. The stage runs everything {@code mlproof run score} does, given the logical date
 * as the DAG gives it (read and verify the records, predict in batches in a ParDo with the model
 * loaded per worker, gather and rank the scores on one worker, write the ranked TFRecord and CSV,
 * commit); the peer only predicts the matrix already in memory. Rounds alternate peer and stage;
 * the stage's scores are checked equal to the peer's.
 *
 * <p>Run: {@code bin/mlproof-bench Scoring} (arguments: the bench output directory, optionally a
 * file to copy the markdown to, the number of scoring rows, p, and rounds). The markdown goes to
 * stdout.
 */
public final class ScoringBenchmark {
  private static final int CUTOFF = 19920;
  private static final int TRAINING_ROWS = 100_000;
  private static final int SMALL_ROWS = 1_000;

  private ScoringBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "build/bench");
    Files.createDirectories(out);
    Path work = Files.createTempDirectory(out, "scoring-");
    Path report = args.length > 1 && !args[1].isEmpty() ? Path.of(args[1]) : null;
    int rows = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
    int parallelism = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 2;
    FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
    LightGbmNative.load();
    try {
      run(work, report, rows, parallelism, rounds);
    } finally {
      try (var files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void run(Path work, Path report, int rows, int parallelism, int rounds)
      throws Exception {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    FeatureSpec spec = TrainingBenchmark.spec();
    String training =
        TrainingBenchmark.writeExamples(work.resolve("training"), spec, TRAINING_ROWS);
    TrainOptions trainOptions = TrainingBenchmark.trainOptions(training, work.resolve("train"), 2);
    String modelDir = TrainPipeline.run(trainOptions, quiet).outputDir();
    ModelArtifact model = ModelArtifact.load(modelDir);
    String scoring = writeScoringExamples(work.resolve("scoring"), spec, rows);
    // The same stage on a handful of rows: what a Flink job costs before any per-row work (start
    // the embedded cluster, plan, deploy, commit), measured in the same run for the breakdown.
    String small = writeScoringExamples(work.resolve("scoring-small"), spec, SMALL_ROWS);

    ExampleBuffer all = ExampleReader.readExamples(scoring, spec);
    ExampleMatrix matrix = all.select(all.canonicalOrder());
    String load = loadAverage();
    List<Long> peerNanos = new ArrayList<>();
    List<Long> stageNanos = new ArrayList<>();
    List<Long> fixedNanos = new ArrayList<>();
    double[] peer = null;
    try (LGBMBooster booster = LGBMBooster.loadModelFromString(model.modelText())) {
      for (int round = 0; round < rounds; round++) {
        long t0 = System.nanoTime();
        peer = TrainingBenchmark.predictForMat(booster, matrix, 1);
        peerNanos.add(System.nanoTime() - t0);

        String output = work.resolve("score-" + round).toString();
        stageNanos.add(timeStage(modelDir, scoring, output, parallelism, quiet));
        String smallOutput = work.resolve("score-small-" + round).toString();
        fixedNanos.add(timeStage(modelDir, small, smallOutput, parallelism, quiet));
        List<Score> scored = new ArrayList<>();
        TfRecordFiles.read(
            TaskOutput.filePattern(output, ScorePipeline.SCORES),
            (bytes, length, file) ->
                scored.add(Score.parseFrom(CodedInputStream.newInstance(bytes, 0, length))));
        double[] stage = scored.stream().mapToDouble(Score::getScore).toArray();
        double[] expected = peer.clone();
        Arrays.sort(stage);
        Arrays.sort(expected);
        if (!Arrays.equals(stage, expected)) {
          throw new IllegalStateException("the score stage and predictForMat disagree");
        }
      }
    }
    String loadAfter = loadAverage();

    StringBuilder md = new StringBuilder("# Scoring benchmark\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "`%s`, %,d scoring rows x %d features (synthetic, one cutoff day, 4 TFRecord shards),"
                + " model: 100 iterations, 63 leaves, trained by the train stage on %,d rows."
                + " Score stage on Flink local at parallelism p=%d, LightGBM 1 thread per worker;"
                + " peer: LightGBM4J `predictForMat` on the matrix in memory, 1 thread. %d cores,"
                + " load average %s at start, %s at end, OMP_WAIT_POLICY=%s.%n%n",
            ScoringBenchmark.class.getSimpleName(),
            rows,
            spec.getFeaturesCount(),
            TRAINING_ROWS,
            parallelism,
            Runtime.getRuntime().availableProcessors(),
            load,
            loadAfter,
            System.getenv("OMP_WAIT_POLICY")));
    md.append(
        String.format(
            Locale.ROOT,
            "| round | predictForMat, 1 thread (ms) | peer / p (ms) | score stage on Flink (ms) |"
                + " ratio | stage on %,d rows (ms) | ratio less that fixed cost |%n"
                + "|---|---:|---:|---:|---:|---:|---:|%n",
            SMALL_ROWS));
    for (int r = 0; r < rounds; r++) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %,d | %,.0f | %,d | %.2f | %,d | %.2f |%n",
              r + 1,
              peerNanos.get(r) / 1_000_000,
              peerNanos.get(r) / 1e6 / parallelism,
              stageNanos.get(r) / 1_000_000,
              ratio(stageNanos.get(r), peerNanos.get(r), parallelism),
              fixedNanos.get(r) / 1_000_000,
              ratio(stageNanos.get(r) - fixedNanos.get(r), peerNanos.get(r), parallelism)));
    }
    long peerBest = peerNanos.stream().mapToLong(Long::longValue).min().orElseThrow();
    long stageBest = stageNanos.stream().mapToLong(Long::longValue).min().orElseThrow();
    md.append(
        String.format(
            Locale.ROOT,
            "%nPer row: score stage %.2f us, predictForMat / p %.2f us (best of each);"
                + " **ratio %.2f** (target at most 1). Scores identical to predictForMat's. The"
                + " last column subtracts the same round's %,d-row stage (a Flink job's fixed"
                + " cost): a diagnosis, not the target's ratio.%n",
            stageBest / 1e3 / rows,
            peerBest / 1e3 / rows / parallelism,
            ratio(stageBest, peerBest, parallelism),
            SMALL_ROWS));
    System.out.print(md);
    if (report != null) {
      Files.createDirectories(report.toAbsolutePath().getParent());
      Files.writeString(report, md.toString());
    }
  }

  /** Runs the score stage as `mlproof run score` runs it, with the DAG's logical date. */
  private static long timeStage(
      String modelDir, String examples, String output, int parallelism, PrintStream quiet) {
    ScoreOptions options =
        ScorePipeline.parse(
            new String[] {
              "--model=" + modelDir,
              "--examples=" + examples,
              "--output=" + output,
              "--logicalDate=" + LocalDate.ofEpochDay(CUTOFF),
              "--allowUnblessed=true",
              "--scoresTable=",
              "--numThreads=1",
              "--runner=FlinkRunner",
              "--parallelism=" + parallelism
            });
    // Timed: what `mlproof run score` runs. Reading the scores back for the check is not.
    long t0 = System.nanoTime();
    StageRun.execute(new ScorePipeline(), options, quiet);
    return System.nanoTime() - t0;
  }

  private static double ratio(long stageNanos, long peerNanos, int parallelism) {
    return stageNanos / ((double) peerNanos / parallelism);
  }

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return fields[0] + "/" + fields[1] + "/" + fields[2];
    } catch (IOException e) {
      return "n/a";
    }
  }

  /** {@code rows} unlabelled rows of the training world at one cutoff day, four shards. */
  static String writeScoringExamples(Path dir, FeatureSpec spec, int rows) throws IOException {
    TaskOutput output = TaskOutput.begin(dir.toString());
    String hash = FeatureSpecs.hash(spec);
    SplittableRandom random = new SplittableRandom(2);
    int shards = 4;
    List<TfRecordFiles.Writer> writers = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      writers.add(
          new TfRecordFiles.Writer(
              output.staging(String.format("records-%05d-of-%05d.tfrecord", s, shards))));
    }
    int columns = spec.getFeaturesCount();
    for (int r = 0; r < rows; r++) {
      Example.Builder e =
          Example.newBuilder()
              .setEntityId(Integer.toString(r))
              .setCutoffDay(CUTOFF)
              .setFeatureSpecHash(hash);
      for (int i = 0; i < columns - 1; i++) {
        e.addFeatures(random.nextDouble() < 0.02 ? Double.NaN : random.nextGaussian());
      }
      e.addFeatures(random.nextInt(20));
      writers.get(r % shards).write(e.build().toByteArray());
    }
    TrainingBenchmark.commitFeatures(output, spec, writers, rows);
    return dir.toString();
  }
}
