package io.mlproof.pipelines.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.FileBytes;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.demo.DemoFixtures;
import io.mlproof.pipelines.demo.DemoSpec;
import io.mlproof.pipelines.extract.ExtractPipeline;
import io.mlproof.pipelines.features.FeaturesOptions;
import io.mlproof.pipelines.features.FeaturesPipeline;
import io.mlproof.pipelines.model.SyntheticExamples;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.BacktestFold;
import io.mlproof.proto.v1.BacktestResult;
import io.mlproof.proto.v1.StrategyFigures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backtest on the demo warehouse (2,000 users, the default 180 days from 2024-01-01, whose
 * generative process is known: docs/DATA.md), built the way the churn_backtest DAG builds it:
 * extract for 2024-06-03, weekly cutoffs 2024-02-05..2024-05-13 with a 28-day horizon, five folds
 * from 2024-04-15 (the last one's label window is still open on 2024-06-03).
 */
class BacktestDemoTest {
  static final String[] FOLDS = {
    "2024-04-15", "2024-04-22", "2024-04-29", "2024-05-06", "2024-05-13"
  };
  private static final PrintStream QUIET =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  @TempDir static Path dir;
  static String features;
  static BacktestResult direct;
  static String directJson;

  @BeforeAll
  static void backtest() throws Exception {
    Path db = DemoFixtures.warehouse(dir, DemoSpec.defaults().withUsers(2_000));
    Path extract = dir.resolve("extract");
    ExtractPipeline.run(
        ExtractPipeline.parse(
            "--warehouse=duckdb:" + db,
            "--output=" + extract,
            "--recordType=entity_days",
            "--logicalDate=2024-06-03",
            "--lookbackDays=180"),
        Warehouse.parse("duckdb:" + db),
        QUIET);
    features = dir.resolve("features").toString();
    FeaturesPipeline.run(
        PipelineOptionsFactory.fromArgs(
                "--input=" + extract,
                "--output=" + features,
                "--cutoffStart=2024-02-05",
                "--cutoffEnd=2024-05-13",
                "--horizonDays=28",
                "--requireLabels=false",
                "--enforceImmutability=false",
                "--enforceEncodability=false")
            .as(FeaturesOptions.class));
    direct = BacktestPipeline.run(options(dir.resolve("direct"), "--runner=DirectRunner"), QUIET);
    directJson = json(dir.resolve("direct"));
  }

  static BacktestOptions options(Path output, String... more) {
    return PipelineOptionsFactory.fromArgs(
            SyntheticExamples.merge(
                List.of(
                    "--examples=" + features,
                    "--output=" + output,
                    "--firstFold=2024-04-15",
                    "--folds=5",
                    "--capacity=20%",
                    "--valueFeature=revenue_90d",
                    "--numThreads=1"),
                more))
        .withValidation()
        .as(BacktestOptions.class);
  }

  static String json(Path output) throws Exception {
    return new String(
        FileBytes.read(output.resolve(BacktestPipeline.JSON).toString()), StandardCharsets.UTF_8);
  }

  static Map<String, StrategyFigures> byName(List<StrategyFigures> strategies) {
    return strategies.stream()
        .collect(Collectors.toMap(StrategyFigures::getName, Function.identity()));
  }

  @Test
  void foldsAreTheWeeklyCutoffsAndTheOpenOneIsReportedNotFailed() {
    assertThat(direct.getFoldsList()).extracting(BacktestFold::getCutoff).containsExactly(FOLDS);
    assertThat(direct.getFoldsList())
        .extracting(BacktestFold::getComplete)
        .containsExactly(true, true, true, true, false);
    assertThat(direct.getFolds(4).getIncompleteReason()).contains("label window");
    assertThat(direct.getAggregate().getCompleteFolds()).isEqualTo(4);
    assertThat(direct.getAggregate().getIncompleteFolds()).isEqualTo(1);
    assertThat(direct.getHorizonDays()).isEqualTo(28);
    // the contract's keys, camelCase, with complete=false printed
    assertThat(directJson)
        .contains(
            "\"horizonDays\": 28",
            "\"folds\": [",
            "\"cutoff\": \"2024-05-13\"",
            "\"complete\": false",
            "\"aggregate\": {");
    assertThat(TaskOutput.read(dir.resolve("direct").toString()).getCountersMap())
        .containsEntry("folds_complete", 4L)
        .containsEntry("folds_incomplete", 1L);
  }

  /** The first fold learns from label windows that end by 2024-04-15: cutoffs up to 2024-03-18. */
  @Test
  void eachFoldLearnsOnlyFromLabelWindowsThatEndedBeforeIt() {
    assertThat(direct.getFolds(0).getTrainingCutoffs())
        .isEqualTo("2024-02-05..2024-02-19 (early stopping on 2024-03-18)");
    assertThat(direct.getFolds(3).getTrainingCutoffs())
        .isEqualTo("2024-02-05..2024-03-11 (early stopping on 2024-04-08)");
  }

  @Test
  void randomTargetingReachesItsExpectationWithinSamplingError() {
    for (BacktestFold fold : direct.getFoldsList().subList(0, 4)) {
      StrategyFigures random = byName(fold.getStrategiesList()).get(Economics.RANDOM);
      double n = fold.getEligible();
      double k = fold.getCapacity();
      double churners = fold.getChurners();
      assertThat(random.getChurnersReached())
          .isCloseTo(k * churners / n, org.assertj.core.api.Assertions.within(1e-6));
      // 200 seeded draws: their mean is within 4 standard errors of the hypergeometric mean
      double variance = k * (churners / n) * (1 - churners / n) * (n - k) / (n - 1);
      assertThat(random.getDraws().getChurnersReachedMean())
          .isCloseTo(
              k * churners / n,
              org.assertj.core.api.Assertions.within(4 * Math.sqrt(variance / 200)));
      assertThat(random.getDraws().getChurnersReachedSd())
          .isBetween(0.8 * Math.sqrt(variance), 1.2 * Math.sqrt(variance));
    }
  }

  @Test
  void theModelBeatsRandomAtEveryFoldAndTheOracleBoundsEverything() {
    for (BacktestFold fold : direct.getFoldsList().subList(0, 4)) {
      Map<String, StrategyFigures> s = byName(fold.getStrategiesList());
      StrategyFigures model = s.get(Economics.MODEL);
      StrategyFigures random = s.get(Economics.RANDOM);
      StrategyFigures oracle = s.get(Economics.ORACLE);
      assertThat(model.getChurnersReached())
          .as(fold.getCutoff())
          .isGreaterThan(random.getChurnersReached());
      assertThat(model.getNetValue()).as(fold.getCutoff()).isGreaterThan(random.getNetValue());
      // beyond sampling noise: above the random draws' mean by more than 3 of their SDs
      assertThat(model.getChurnersReached())
          .isGreaterThan(
              random.getDraws().getChurnersReachedMean()
                  + 3 * random.getDraws().getChurnersReachedSd());
      for (StrategyFigures any : fold.getStrategiesList()) {
        assertThat(any.getChurnersReached()).isLessThanOrEqualTo(oracle.getChurnersReached());
        assertThat(any.getNetValue()).isLessThanOrEqualTo(oracle.getNetValue());
      }
      assertThat(s.get(Economics.STATUS_QUO).getNetValue()).isZero();
      assertThat(model.getContacted()).isEqualTo(fold.getCapacity());
      assertThat(fold.getCapacity()).isEqualTo(Math.round(0.2 * fold.getEligible()));
    }
  }

  @Test
  void flinkGivesTheSameBacktestJson() throws Exception {
    BacktestPipeline.run(
        options(dir.resolve("flink"), "--runner=FlinkRunner", "--parallelism=2"), QUIET);
    assertThat(json(dir.resolve("flink"))).isEqualTo(directJson);
  }

  @Test
  void aFoldThatIsNotACutoffIsRefusedBeforeAnythingRuns() {
    assertThatThrownBy(
            () ->
                BacktestPipeline.run(options(dir.resolve("bad"), "--firstFold=2024-04-16"), QUIET))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("2024-04-16, which is not a cutoff of the features output");
    assertThatThrownBy(
            () ->
                BacktestPipeline.run(options(dir.resolve("bad"), "--firstFold=2024-02-19"), QUIET))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("fold 2024-02-19 has 0 training cutoffs");
    assertThatThrownBy(
            () -> BacktestPipeline.run(options(dir.resolve("bad"), "--valueFeature=nope"), QUIET))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--valueFeature=nope");
  }
}
