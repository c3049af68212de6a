package io.mlproof.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.demo.DemoFixtures;
import io.mlproof.pipelines.demo.DemoSpec;
import io.mlproof.pipelines.extract.ExtractPipeline;
import io.mlproof.pipelines.features.FeatureSpecs;
import io.mlproof.pipelines.features.FeaturesOptions;
import io.mlproof.pipelines.features.FeaturesPipeline;
import io.mlproof.pipelines.features.SyntheticWarehouse;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.pipelines.train.TrainOptions;
import io.mlproof.pipelines.train.TrainPipeline;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.Example;
import io.mlproof.proto.v1.FeatureSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notebook peer computes what the demo DAG computes, so timing one against the other compares
 * like with like. On a 2,000-user demo warehouse, with the demo DAG's options (dags/demo.yaml at
 * logical date 2024-06-03: extract with lookbackDays 210; features at ds-112, ds-98, ds-70, ds-42
 * with horizon 28; score_features at ds with requireLabels=false; train with its defaults):
 *
 * <ul>
 *   <li>the peer's one query returns exactly the features stage's examples: the same (entity,
 *       cutoff) rows, the same labels, every feature value bit for bit (NaN where missing);
 *   <li>its scoring rows are exactly score_features' examples;
 *   <li>its LightGBM4J training gives byte for byte the model text the train stage writes.
 * </ul>
 *
 * Extract and features run on Flink local (parallelism 2), train on the Direct runner: the runner
 * parity tests show each gives the same output on both.
 */
class NotebookPeerTest {
  private static final LocalDate DS = LocalDate.parse("2024-06-03");
  private static final PrintStream QUIET =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  @TempDir static Path dir;
  static Path warehouse;
  static Path training;
  static Path scoring;
  static NotebookPeer.Rows peer;
  static FeatureSpec spec;

  @BeforeAll
  static void runTheDagsStagesAndThePeer() throws Exception {
    warehouse = DemoFixtures.warehouse(dir, DemoSpec.defaults().withUsers(2_000));
    Path extract = dir.resolve("extract");
    ExtractPipeline.run(
        ExtractPipeline.parse(
            "--warehouse=duckdb:" + warehouse,
            "--output=" + extract,
            "--recordType=entity_days",
            "--logicalDate=" + DS,
            "--lookbackDays=210",
            "--runner=FlinkRunner",
            "--parallelism=2"),
        Warehouse.parse("duckdb:" + warehouse),
        QUIET);
    List<String> cutoffs = NotebookPeer.cutoffs(DS);
    training =
        features(
            "features", String.join(",", cutoffs.subList(0, 4)), "--requireLabels=true", extract);
    scoring = features("score_features", DS.toString(), "--requireLabels=false", extract);
    spec = FeatureSpecs.load(FeatureSpecs.DEFAULT);
    try (Connection c = SyntheticWarehouse.connect(warehouse)) {
      peer = NotebookPeer.query(c, DS, spec);
    }
  }

  private static Path features(String name, String cutoffs, String labels, Path extract) {
    Path out = dir.resolve(name);
    FeaturesOptions options =
        PipelineOptionsFactory.fromArgs(
                "--input=" + extract,
                "--output=" + out,
                "--cutoffs=" + cutoffs,
                "--horizonDays=" + NotebookPeer.HORIZON_DAYS,
                labels,
                "--runner=FlinkRunner",
                "--parallelism=2")
            .withValidation()
            .as(FeaturesOptions.class);
    FeaturesPipeline.run(options);
    return out;
  }

  @Test
  void theQueryReturnsExactlyTheFeaturesStagesTrainingExamples() {
    Map<String, Example> stage = examples(training);
    int day = (int) DS.toEpochDay();
    NotebookPeer.Rows rows = peer.where(c -> c != day);
    assertThat(stage).as("a vacuous comparison proves nothing").hasSizeGreaterThan(3_000);
    assertThat(stage.values().stream().filter(Example::getLabel).count())
        .as("both classes")
        .isBetween(300L, stage.size() - 300L);
    assertThat(stage.values()).allMatch(Example::getHasLabel);
    assertThat(keys(rows)).containsExactlyInAnyOrderElementsOf(stage.keySet());
    List<String> mismatches = new ArrayList<>();
    for (int r = 0; r < rows.rows(); r++) {
      Example e = stage.get(key(rows, r));
      if (e.getLabel() != rows.labels()[r]) {
        mismatches.add(
            key(rows, r) + " label: stage " + e.getLabel() + ", peer " + rows.labels()[r]);
      }
      mismatches.addAll(featureMismatches(rows, r, e));
    }
    assertThat(mismatches).as("labels and features that differ").isEmpty();
  }

  @Test
  void theQueryReturnsExactlyTheScoringExamples() {
    Map<String, Example> stage = examples(scoring);
    int day = (int) DS.toEpochDay();
    NotebookPeer.Rows rows = peer.where(c -> c == day);
    assertThat(stage).hasSizeGreaterThan(1_000);
    assertThat(stage.values()).noneMatch(Example::getHasLabel);
    assertThat(keys(rows)).containsExactlyInAnyOrderElementsOf(stage.keySet());
    List<String> mismatches = new ArrayList<>();
    for (int r = 0; r < rows.rows(); r++) {
      mismatches.addAll(featureMismatches(rows, r, stage.get(key(rows, r))));
    }
    assertThat(mismatches).as("features that differ").isEmpty();
  }

  /** The query's ORDER BY is the train stage's canonical order: cutoff day, then id as text. */
  @Test
  void theRowsAreInTheTrainStagesOrder() {
    assertThat(
            IntStream.range(1, peer.rows())
                .filter(
                    r -> {
                      int c = Integer.compare(peer.cutoffDays()[r - 1], peer.cutoffDays()[r]);
                      return c > 0 || (c == 0 && peer.ids()[r - 1].compareTo(peer.ids()[r]) >= 0);
                    }))
        .isEmpty();
  }

  @Test
  void lightGbm4jGivesTheTrainStagesModelByteForByte() throws Exception {
    TrainOptions options =
        PipelineOptionsFactory.fromArgs(
                "--examples=" + training,
                "--output=" + dir.resolve("train"),
                "--runner=DirectRunner")
            .withValidation()
            .as(TrainOptions.class);
    TrainPipeline.Result trained = TrainPipeline.run(options, QUIET);

    NotebookPeer.Result result =
        NotebookPeer.trainAndScore(peer, DS, FeatureSpecs.featureNames(spec));

    assertThat(result.bestIteration()).isEqualTo(trained.metadata().getBestIteration());
    assertThat(result.modelText())
        .isEqualTo(Files.readString(dir.resolve("train").resolve(ModelArtifact.MODEL_FILE)));
    int day = (int) DS.toEpochDay();
    assertThat(result.scores()).hasSize(peer.where(c -> c == day).rows());
    assertThat(result.testScores()).hasSize(peer.where(c -> c == day - 42).rows());
  }

  /** The peer writes one row per scored entity, with its score and the day. */
  @Test
  void theScoresLandInTheWarehouse() throws Exception {
    int day = (int) DS.toEpochDay();
    NotebookPeer.Rows rows = peer.where(c -> c == day);
    double[] scores = IntStream.range(0, rows.rows()).mapToDouble(r -> r / 1e4).toArray();
    try (Connection c = SyntheticWarehouse.connect(warehouse);
        Statement s = c.createStatement()) {
      NotebookPeer.writeScores(c, "peer_scores_test", peer, DS, scores);
      try (ResultSet r =
          s.executeQuery(
              "SELECT count(*), count(DISTINCT entity_id), sum(score), min(score_date),"
                  + " max(score_date) FROM peer_scores_test")) {
        r.next();
        assertThat(r.getLong(1)).isEqualTo(rows.rows());
        assertThat(r.getLong(2)).isEqualTo(rows.rows());
        long n = rows.rows();
        assertThat(r.getDouble(3)).isCloseTo(n * (n - 1) / 2 / 1e4, Offset.offset(1e-6));
        assertThat(r.getDate(4).toLocalDate()).isEqualTo(DS);
        assertThat(r.getDate(5).toLocalDate()).isEqualTo(DS);
      }
    }
  }

  private static List<String> featureMismatches(NotebookPeer.Rows rows, int r, Example e) {
    List<String> out = new ArrayList<>();
    List<String> names = FeatureSpecs.featureNames(spec);
    for (int f = 0; f < rows.columns(); f++) {
      double want = e.getFeatures(f);
      double got = rows.values()[r * rows.columns() + f];
      // Bit for bit: every NaN is the stage's "missing", so NaNs compare equal to each other.
      if (Double.doubleToLongBits(got) != Double.doubleToLongBits(want)) {
        out.add(key(rows, r) + " " + names.get(f) + ": stage " + want + ", peer " + got);
      }
    }
    return out;
  }

  private static List<String> keys(NotebookPeer.Rows rows) {
    return IntStream.range(0, rows.rows()).mapToObj(r -> key(rows, r)).toList();
  }

  private static String key(NotebookPeer.Rows rows, int r) {
    return rows.ids()[r] + "@" + LocalDate.ofEpochDay(rows.cutoffDays()[r]);
  }

  private static Map<String, Example> examples(Path out) {
    Map<String, Example> byKey = new LinkedHashMap<>();
    TfRecordFiles.read(
        out.resolve("records-*.tfrecord").toString(),
        (data, length, file) -> {
          Example e = Example.parseFrom(ByteBuffer.wrap(data, 0, length));
          Example old =
              byKey.put(e.getEntityId() + "@" + LocalDate.ofEpochDay(e.getCutoffDay()), e);
          assertThat(old).as("one example per entity and cutoff in " + file).isNull();
        });
    return byKey;
  }
}
