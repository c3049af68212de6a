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
import io.mlproof.proto.v1.Manifest;
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
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
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
 * <p>Where the stage runs: Flink's embedded local cluster in this JVM (the check's "Flink local"),
 * and, when {@code $MLPROOF_BENCH_FLINK_MASTER} and {@code $MLPROOF_BENCH_FILES_TO_STAGE} are set,
 * also a running session cluster started with {@code mlproof flink start --job-jar
 * target/mlproof-flink.jar} (how a DAG run's score task runs), with this JVM as the client; for
 * that one the report adds the job's own duration from the JobManager.
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
    List<Target> targets = Target.chosen();
    String load = loadAverage();
    List<Long> peerNanos = new ArrayList<>();
    Map<Target, List<Run>> runs = new EnumMap<>(Target.class);
    Set<String> outputs = new LinkedHashSet<>();
    try (LGBMBooster booster = LGBMBooster.loadModelFromString(model.modelText())) {
      for (int round = 0; round < rounds; round++) {
        long t0 = System.nanoTime();
        double[] peer = TrainingBenchmark.predictForMat(booster, matrix, 1);
        peerNanos.add(System.nanoTime() - t0);
        for (Target target : targets) {
          String name = target.name().toLowerCase(Locale.ROOT) + "-" + round;
          Timed stage = target.time(modelDir, scoring, work.resolve(name), parallelism, quiet);
          Timed few =
              target.time(modelDir, small, work.resolve(name + "-small"), parallelism, quiet);
          runs.computeIfAbsent(target, t -> new ArrayList<>()).add(new Run(stage, few));
          checkScores(work.resolve(name).toString(), peer);
          outputs.add(stage.outputHashes());
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
                + " Score stage at parallelism p=%d, LightGBM 1 thread per worker;"
                + " peer: LightGBM4J `predictForMat` on the matrix in memory, 1 thread. %d cores,"
                + " load average %s at start, %s at end, OMP_WAIT_POLICY=%s. Each round: the"
                + " peer, then %s.%n%n",
            ScoringBenchmark.class.getSimpleName(),
            rows,
            spec.getFeaturesCount(),
            TRAINING_ROWS,
            parallelism,
            Runtime.getRuntime().availableProcessors(),
            load,
            loadAfter,
            System.getenv("OMP_WAIT_POLICY"),
            targets.stream().map(t -> t.label).collect(Collectors.joining(", then "))));
    for (Target target : targets) {
      target.table(md, peerNanos, runs.get(target), parallelism);
      List<Run> done = runs.get(target);
      long peerBest = peerNanos.stream().mapToLong(Long::longValue).min().orElseThrow();
      long stageBest = done.stream().mapToLong(r -> r.stage().nanos()).min().orElseThrow();
      md.append(
          String.format(
              Locale.ROOT,
              "%nPer row, %s: score stage %.2f us, predictForMat / p %.2f us (best of each);"
                  + " **ratio %.2f** (target at most 1).%n%n",
              target.label,
              stageBest / 1e3 / rows,
              peerBest / 1e3 / rows / parallelism,
              ratio(stageBest, peerBest, parallelism)));
    }
    md.append(
        String.format(
            Locale.ROOT,
            "Scores identical to predictForMat's in every run. Output SHA-256 (scores TFRecord,"
                + " CSV) of all %s runs: %s. Columns marked (diagnostic) subtract the same round's"
                + " %,d-row stage (a job's fixed cost) or count the job alone: not the target's"
                + " ratio.%n",
            rounds * targets.size(),
            String.join("; ", outputs),
            SMALL_ROWS));
    System.out.print(md);
    if (report != null) {
      Files.createDirectories(report.toAbsolutePath().getParent());
      Files.writeString(report, md.toString());
    }
  }

  /** A stage run: its wall time, the JobManager's duration of its job (0 if none), its manifest. */
  private record Timed(long nanos, long jobNanos, Manifest manifest) {
    String outputHashes() {
      return manifest.getFilesList().stream()
          .map(f -> f.getSha256().substring(0, 12))
          .collect(Collectors.joining(", "));
    }
  }

  /** One round of one target: the scoring rows, and the same stage on 1,000 rows. */
  private record Run(Timed stage, Timed small) {}

  /** Where the stage runs. */
  private enum Target {
    /** Flink's embedded local cluster in this JVM (what issue 11 names). */
    LOCAL("Flink local (embedded cluster in the benchmark's JVM)"),
    /**
     * A running session cluster with the bundled jar on its class path ({@code mlproof flink start
     * --job-jar target/mlproof-flink.jar}) at {@code $MLPROOF_BENCH_FLINK_MASTER}, staging {@code
     * $MLPROOF_BENCH_FILES_TO_STAGE}: how a DAG run's score task runs since session 6. This JVM is
     * the client. Run only when the variables are set.
     */
    CLUSTER(
        "a session cluster started before the run (this JVM submits; round 1 is its first job)");

    final String label;

    Target(String label) {
      this.label = label;
    }

    static List<Target> chosen() {
      String master = System.getenv(SessionCluster.MASTER_ENV);
      if (master == null) {
        return List.of(LOCAL);
      }
      if (System.getenv(SessionCluster.STAGE_ENV) == null) {
        throw new IllegalStateException(
            SessionCluster.MASTER_ENV + " is set but " + SessionCluster.STAGE_ENV + " is not");
      }
      return List.of(LOCAL, CLUSTER);
    }

    /** Runs the score stage as `mlproof run score` runs it, with the DAG's logical date. */
    Timed time(String modelDir, String examples, Path output, int parallelism, PrintStream quiet)
        throws Exception {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--model=" + modelDir,
                  "--examples=" + examples,
                  "--output=" + output,
                  "--logicalDate=" + LocalDate.ofEpochDay(CUTOFF),
                  "--allowUnblessed=true",
                  "--scoresTable=",
                  "--numThreads=1",
                  "--runner=FlinkRunner",
                  "--parallelism=" + parallelism));
      if (this == CLUSTER) {
        args.add("--flinkMaster=" + System.getenv(SessionCluster.MASTER_ENV));
        args.add("--filesToStage=" + System.getenv(SessionCluster.STAGE_ENV));
      }
      ScoreOptions options = ScorePipeline.parse(args.toArray(String[]::new));
      // Timed: what `mlproof run score` runs. Reading the scores back for the check is not.
      long t0 = System.nanoTime();
      Manifest manifest = StageRun.execute(new ScorePipeline(), options, quiet);
      long nanos = System.nanoTime() - t0;
      long job =
          this == CLUSTER
              ? SessionCluster.lastJobMillis(System.getenv(SessionCluster.MASTER_ENV)) * 1_000_000L
              : 0;
      return new Timed(nanos, job, manifest);
    }

    void table(StringBuilder md, List<Long> peerNanos, List<Run> runs, int parallelism) {
      md.append(String.format(Locale.ROOT, "**%s**%n%n", label));
      boolean cluster = this == CLUSTER;
      md.append(
          String.format(
              Locale.ROOT,
              "| round | predictForMat, 1 thread (ms) | peer / p (ms) | score stage (ms) | ratio |"
                  + " stage on %,d rows (ms) | ratio less that fixed cost (diagnostic) |%s%n"
                  + "|---|---:|---:|---:|---:|---:|---:|%s%n",
              SMALL_ROWS,
              cluster
                  ? " job on the cluster, JobManager's duration (ms) | job-only ratio (diagnostic)"
                      + " | job on 1,000 rows (ms) |"
                  : "",
              cluster ? "---:|---:|---:|" : ""));
      for (int r = 0; r < runs.size(); r++) {
        long peer = peerNanos.get(r);
        Run run = runs.get(r);
        md.append(
            String.format(
                Locale.ROOT,
                "| %d | %,d | %,.0f | %,d | %.2f | %,d | %.2f |",
                r + 1,
                peer / 1_000_000,
                peer / 1e6 / parallelism,
                run.stage().nanos() / 1_000_000,
                ratio(run.stage().nanos(), peer, parallelism),
                run.small().nanos() / 1_000_000,
                ratio(run.stage().nanos() - run.small().nanos(), peer, parallelism)));
        if (cluster) {
          md.append(
              String.format(
                  Locale.ROOT,
                  " %,d | %.2f | %,d |",
                  run.stage().jobNanos() / 1_000_000,
                  ratio(run.stage().jobNanos(), peer, parallelism),
                  run.small().jobNanos() / 1_000_000));
        }
        md.append('\n');
      }
    }
  }

  /** The stage's scores, as a multiset, must be predictForMat's. */
  private static void checkScores(String output, double[] peer) {
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
      throw new IllegalStateException("the score stage and predictForMat disagree in " + output);
    }
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
