package io.mlproof.pipelines.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.model.SyntheticExamples;
import io.mlproof.proto.v1.BacktestFold;
import io.mlproof.proto.v1.BacktestResult;
import io.mlproof.proto.v1.Example;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.StrategyFigures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hand-made history where churn is a pure rule (no purchase for more than 30 days, or never), so
 * the model, the tuned heuristic and the oracle all find churners only and every figure can be
 * worked out by hand: 400 customers at each of eight cutoffs 30 days apart (day 19800 = 2024-03-18,
 * ..., 20010), a 30-day horizon, and a ninth cutoff (20040) whose labels are not in yet.
 *
 * <p>Campaign: 50 contacts, value 100, contact 1, offer 10, save rate 0.2. Reaching 50 churners:
 * retained 0.2 x 50 = 10, value 1000, cost 50 + 10 x 10 = 150, net 850, ROI 850/150. Random
 * targeting reaches R = 50 P / 400 of the P churners: net = 0.2 x 100 R - 50 - 10 (0.2 R + 50 - R)
 * = 28 R - 550.
 */
class BacktestHandMadeTest {
  private static final PrintStream QUIET =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  @TempDir static Path dir;
  static List<Example> examples = new ArrayList<>();
  static BacktestResult result;

  @BeforeAll
  static void backtest() throws Exception {
    // Two draws of the four-cutoff recency world, the second moved 120 days later.
    for (Example e : SyntheticExamples.generate(SyntheticExamples.World.RECENCY_RULE, 400, 1)) {
      examples.add(e);
    }
    for (Example e : SyntheticExamples.generate(SyntheticExamples.World.RECENCY_RULE, 400, 2)) {
      examples.add(e.toBuilder().setCutoffDay(e.getCutoffDay() + 120).build());
      if (e.getCutoffDay() == 19890) {
        examples.add(e.toBuilder().setCutoffDay(20040).setHasLabel(false).setLabel(false).build());
      }
    }
    String features =
        SyntheticExamples.writeFeaturesOutput(
            dir.resolve("features"), SyntheticExamples.spec(), examples, 2);
    // The features stage lists its cutoffs in the manifest; the hand-made output says them too.
    Manifest manifest =
        TaskOutput.read(features).toBuilder()
            .putAttributes(
                "cutoffs",
                "2024-03-18,2024-04-17,2024-05-17,2024-06-16,2024-07-16,2024-08-15,2024-09-14,"
                    + "2024-10-14,2024-11-13")
            .build();
    Files.writeString(
        dir.resolve("features").resolve(TaskOutput.MANIFEST), TaskOutput.toJson(manifest));
    BacktestOptions options =
        PipelineOptionsFactory.fromArgs(
                SyntheticExamples.merge(
                    List.of(
                        "--examples=" + features,
                        "--output=" + dir.resolve("backtest"),
                        "--firstFold=2024-06-16",
                        "--foldEveryDays=30",
                        "--folds=6",
                        "--capacity=50",
                        "--valuePerCustomer=100",
                        "--costPerContact=1",
                        "--offerCost=10",
                        "--saveRate=0.2",
                        "--saveRateGrid=0.1",
                        "--numIterations=200",
                        "--learningRate=0.1",
                        "--numLeaves=15",
                        "--earlyStoppingRounds=20",
                        "--numThreads=1")))
            .withValidation()
            .as(BacktestOptions.class);
    result = BacktestPipeline.run(options, QUIET);
  }

  private static Map<String, StrategyFigures> byName(BacktestFold fold) {
    return fold.getStrategiesList().stream()
        .collect(Collectors.toMap(StrategyFigures::getName, Function.identity()));
  }

  @Test
  void everyCompleteFoldKeepsTenCustomersAndNets850WithPerfectTargeting() {
    assertThat(result.getFoldsList())
        .extracting(BacktestFold::getComplete)
        .containsExactly(true, true, true, true, true, false);
    for (BacktestFold fold : result.getFoldsList().subList(0, 5)) {
      Map<String, StrategyFigures> s = byName(fold);
      for (String name : List.of(Economics.MODEL, Economics.HEURISTIC, Economics.ORACLE)) {
        StrategyFigures f = s.get(name);
        assertThat(f.getContacted()).as(fold.getCutoff() + " " + name).isEqualTo(50);
        assertThat(f.getChurnersReached()).as(fold.getCutoff() + " " + name).isEqualTo(50);
        assertThat(f.getExpectedRetained()).isCloseTo(10, within(1e-9));
        assertThat(f.getCost()).isCloseTo(150, within(1e-9));
        assertThat(f.getNetValue()).isCloseTo(850, within(1e-9));
        assertThat(f.getRoi()).isCloseTo(850.0 / 150, within(1e-12));
        // at s = 0.1: value 500, cost 50 + 10 x 5 = 100, net 400
        assertThat(f.getSaveRateGrid(0).getNetValue()).isCloseTo(400, within(1e-9));
        // break-even: s (5000 - 500) = 50 -> 1/90
        assertThat(f.getBreakEvenSaveRate()).isCloseTo(1.0 / 90, within(1e-12));
      }
      assertThat(s.get(Economics.STATUS_QUO).getNetValue()).isZero();
    }
  }

  @Test
  void randomTargetingIsWorkedOutFromTheChurnersAtEachFold() {
    for (BacktestFold fold : result.getFoldsList().subList(0, 5)) {
      int day = (int) java.time.LocalDate.parse(fold.getCutoff()).toEpochDay();
      long churners =
          examples.stream().filter(e -> e.getCutoffDay() == day && e.getLabel()).count();
      assertThat(fold.getEligible()).isEqualTo(400);
      assertThat(fold.getChurners()).isEqualTo(churners);
      double reached = 50.0 * churners / 400;
      StrategyFigures random = byName(fold).get(Economics.RANDOM);
      assertThat(random.getChurnersReached()).isCloseTo(reached, within(1e-9));
      assertThat(random.getNetValue()).isCloseTo(28 * reached - 550, within(1e-9));
    }
  }

  @Test
  void theAggregateIsTheMeanOfTheFiveCompleteFolds() {
    StrategyFigures model =
        result.getAggregate().getStrategiesList().stream()
            .filter(s -> s.getName().equals(Economics.MODEL))
            .findFirst()
            .orElseThrow();
    assertThat(result.getAggregate().getCompleteFolds()).isEqualTo(5);
    assertThat(model.getNetValue()).isCloseTo(850, within(1e-9));
    assertThat(model.getNetValueSd()).isCloseTo(0, within(1e-9));
    assertThat(result.getFolds(5).getIncompleteReason())
        .contains("400 of 400 examples have no label");
    // the first fold (2024-06-16) learns from 2024-03-18..2024-04-17 and stops early on 2024-05-17
    assertThat(result.getFolds(0).getTrainingCutoffs())
        .isEqualTo("2024-03-18..2024-04-17 (early stopping on 2024-05-17)");
  }

  @Test
  void theBootstrapTakesTrainsResamplesOptionAndItsRule() {
    // one option for both stages: train's --bootstrapResamples (default 2000, at least 1000)
    assertThat(result.getCampaign().getBootstrapResamples()).isEqualTo(2000);
    BacktestOptions tooFew =
        PipelineOptionsFactory.fromArgs(
                "--examples=" + dir.resolve("features"),
                "--output=" + dir.resolve("refused"),
                "--firstFold=2024-06-16",
                "--foldEveryDays=30",
                "--folds=6",
                "--bootstrapResamples=999")
            .as(BacktestOptions.class);
    assertThatThrownBy(() -> BacktestPipeline.run(tooFew, QUIET))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--bootstrapResamples must be at least 1000 for a stable 95% interval, got 999");
    assertThat(dir.resolve("refused")).doesNotExist();
    assertThatThrownBy(
            () ->
                PipelineOptionsFactory.fromArgs("--bootstrapSamples=1000")
                    .as(BacktestOptions.class))
        .hasMessageContaining("bootstrapSamples");
  }
}
