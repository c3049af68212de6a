package io.mlproof.bench;

import io.mlproof.pipelines.backtest.BacktestOptions;
import io.mlproof.pipelines.backtest.BacktestPipeline;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.demo.DemoSpec;
import io.mlproof.pipelines.demo.DemoWarehouse;
import io.mlproof.pipelines.extract.ExtractPipeline;
import io.mlproof.pipelines.features.Cutoffs;
import io.mlproof.pipelines.features.FeatureSpecs;
import io.mlproof.pipelines.features.FeaturesOptions;
import io.mlproof.pipelines.features.FeaturesPipeline;
import io.mlproof.pipelines.features.SyntheticWarehouse;
import io.mlproof.pipelines.model.SyntheticExamples;
import io.mlproof.pipelines.train.TrainPipeline;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.Example;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The backtest of four weekly folds against its peer, one {@code train} run per fold on exactly the
 * rows that fold learns from and is measured on (its own features output: the labelled cutoffs up
 * to the fold's), in the same JVM and run. The target (issue 13): the backtest costs at most 1.5x
 * the four training runs. Set-up (demo warehouse, extract, features at weekly cutoffs
 * 2024-02-05..2024-05-13, the per-fold training sets) is not timed. Each side runs twice,
 * alternating, so neither alone pays the JIT warm-up.
 *
 * <p>Arguments: {@code [users (default 100000, ~10M events)] [work dir (default
 * build/bench/backtest)]}. The set-up is kept in the work dir and reused when it is complete for
 * the same number of users (a 100,000-user warehouse, its extract and features take minutes to
 * build; the timed part does not depend on them being fresh). Run in a forked JVM (not mvn
 * exec:java: it breaks Flink). Writes Markdown.
 */
public final class BacktestBenchmark {
  private static final String[] FOLDS = {"2024-04-15", "2024-04-22", "2024-04-29", "2024-05-06"};
  private static final int HORIZON_DAYS = 28;
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  private BacktestBenchmark() {}

  public static void main(String[] args) throws Exception {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Path work = Path.of(args.length > 1 ? args[1] : "build/bench/backtest").toAbsolutePath();
    Files.createDirectories(work);
    Path db = work.resolve("warehouse.duckdb");
    Path extract = work.resolve("extract");
    String features = work.resolve("features").toString();
    Path ready = work.resolve("setup-" + users + ".done");
    if (!Files.exists(ready)) {
      setUp(db, users, extract, features);
      Files.writeString(ready, "warehouse, extract and features for " + users + " users\n");
    }
    long events = SyntheticWarehouse.count(db, "events");
    FeatureSpec spec = FeatureSpecs.fromFeaturesOutput(features);
    List<String> histories = new ArrayList<>();
    for (String fold : FOLDS) {
      Path history = work.resolve("upto-" + fold);
      if (!Files.exists(history.resolve("manifest.json"))) {
        history(features, spec, Cutoffs.day("fold", fold), history);
      }
      histories.add(history.toString());
    }

    List<String> rows = new ArrayList<>();
    double[] backtest = new double[2];
    double[] training = new double[2];
    for (int round = 0; round < 2; round++) {
      FeaturesBenchmark.Clock clock = FeaturesBenchmark.Clock.start();
      for (String history : histories) {
        TrainPipeline.run(
            SyntheticExamples.options(
                "--examples=" + history,
                "--output=" + work.resolve("train-" + round),
                "--numThreads=2"),
            QUIET);
      }
      FeaturesBenchmark.Clock.Lap trained = clock.lap();
      clock = FeaturesBenchmark.Clock.start();
      BacktestOptions options =
          PipelineOptionsFactory.fromArgs(
                  "--examples=" + features,
                  "--output=" + work.resolve("backtest-" + round),
                  "--firstFold=" + FOLDS[0],
                  "--folds=" + FOLDS.length,
                  "--numThreads=2",
                  "--runner=FlinkRunner",
                  "--parallelism=2")
              .withValidation()
              .as(BacktestOptions.class);
      BacktestPipeline.run(options, QUIET);
      FeaturesBenchmark.Clock.Lap backtested = clock.lap();
      training[round] = trained.wall();
      backtest[round] = backtested.wall();
      rows.add(
          String.format(
              Locale.ROOT,
              "| %d | %.1f (cpu %.1f) | %.1f (cpu %.1f) | %.2f |",
              round + 1,
              trained.wall(),
              trained.cpu(),
              backtested.wall(),
              backtested.cpu(),
              backtested.wall() / trained.wall()));
    }
    System.out.printf(
        Locale.ROOT,
        "data: demo warehouse, %,d users, %,d events; features at 15 weekly cutoffs,"
            + " folds %s, Flink local p=2, LightGBM 2 threads%n%n",
        users,
        events,
        String.join(",", FOLDS));
    System.out.println("| round | 4 train runs, s | backtest of 4 folds, s | ratio |");
    System.out.println("|---|---|---|---|");
    rows.forEach(System.out::println);
    System.out.printf(
        Locale.ROOT,
        "%nratio over both rounds: %.2f (target: at most 1.5)%n",
        Arrays.stream(backtest).sum() / Arrays.stream(training).sum());
  }

  /** Demo warehouse, extract, and features at 15 weekly cutoffs: built from scratch, not timed. */
  private static void setUp(Path db, int users, Path extract, String features) throws Exception {
    Files.deleteIfExists(db);
    DemoWarehouse.create(db, DemoSpec.defaults().withUsers(users));
    ExtractPipeline.run(
        ExtractPipeline.parse(
            "--warehouse=duckdb:" + db,
            "--output=" + extract,
            "--recordType=entity_days",
            "--logicalDate=2024-06-03",
            "--lookbackDays=180",
            "--runner=FlinkRunner",
            "--parallelism=2"),
        Warehouse.parse("duckdb:" + db),
        QUIET);
    FeaturesPipeline.run(
        PipelineOptionsFactory.fromArgs(
                "--input=" + extract,
                "--output=" + features,
                "--cutoffStart=2024-02-05",
                "--cutoffEnd=2024-05-13",
                "--horizonDays=" + HORIZON_DAYS,
                "--requireLabels=false",
                "--runner=FlinkRunner",
                "--parallelism=2")
            .as(FeaturesOptions.class));
  }

  /**
   * A features output holding the labelled examples up to {@code foldDay}: {@code train} then
   * splits them exactly as the backtest's fold does (the fold's day tests, the newest cutoff whose
   * label window closes by it validates, older ones train), so both sides learn from the same rows.
   */
  private static void history(String features, FeatureSpec spec, int foldDay, Path dir)
      throws Exception {
    TaskOutput output = TaskOutput.begin(dir.toString());
    long kept;
    try (TfRecordFiles.Writer writer =
        new TfRecordFiles.Writer(output.staging("records-00000-of-00001.tfrecord"))) {
      TfRecordFiles.read(
          TaskOutput.filePattern(features, "records"),
          (bytes, length, file) -> {
            Example e = Example.parseFrom(java.nio.ByteBuffer.wrap(bytes, 0, length));
            if (e.getHasLabel() && e.getCutoffDay() <= foldDay) {
              writer.write(Arrays.copyOf(bytes, length));
            }
          });
      kept = writer.records();
    }
    FeatureSpecs.write(spec, output.staging(FeatureSpecs.OUTPUT_FILE));
    output.commit(
        Manifest.newBuilder()
            .setPipeline("features")
            .addFiles(
                OutputFile.newBuilder()
                    .setName("records")
                    .setPath("records-*-of-*.tfrecord")
                    .setRecords(kept))
            .addFiles(
                OutputFile.newBuilder()
                    .setName(FeatureSpecs.OUTPUT_NAME)
                    .setPath(FeatureSpecs.OUTPUT_FILE))
            .build());
  }
}
