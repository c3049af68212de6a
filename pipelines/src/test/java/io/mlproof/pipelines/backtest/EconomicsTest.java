package io.mlproof.pipelines.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.proto.v1.BacktestAggregate;
import io.mlproof.proto.v1.BacktestFold;
import io.mlproof.proto.v1.FoldOutcome;
import io.mlproof.proto.v1.StrategyFigures;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The campaign economics on a hand-made history of six customers at one cutoff, every figure worked
 * out by hand (comments show the arithmetic).
 *
 * <pre>
 * row        0     1     2     3     4     5
 * churner    yes   no    yes   yes   no    no
 * value      100   50    200   10    80    30
 * model      .90   .10   .95   .20   .30   .05   -> top 2: rows 2, 0
 * heuristic  1     3     2     4     0     0     -> top 2: rows 3, 1
 * </pre>
 *
 * Capacity top 2, cost per contact f = 5, offer cost d = 10, save rate s = 0.5.
 */
class EconomicsTest {
  private static final boolean[] CHURNER = {true, false, true, true, false, false};
  private static final double[] VALUE = {100, 50, 200, 10, 80, 30};
  private static final double[] MODEL = {0.90, 0.10, 0.95, 0.20, 0.30, 0.05};
  private static final double[] HEURISTIC = {1, 3, 2, 4, 0, 0};
  private static final Campaign CAMPAIGN = new Campaign(Capacity.topN(2), 5, 10);
  private static final Economics ECONOMICS =
      new Economics(CAMPAIGN, 0.5, new double[] {0.1, 0.5}, 1000, 200, 7);

  private static StrategyFigures strategy(List<StrategyFigures> figures, String name) {
    return figures.stream().filter(f -> f.getName().equals(name)).findFirst().orElseThrow();
  }

  private static List<StrategyFigures> handFold() {
    return ECONOMICS
        .measure(19_800, ECONOMICS.strategies(MODEL, HEURISTIC, CHURNER, VALUE), CHURNER, VALUE)
        .figures();
  }

  @Test
  void modelReachesTheTwoMostValuableChurners() {
    StrategyFigures model = strategy(handFold(), Economics.MODEL);
    // contacts rows 2 and 0: both churners, worth 300; retained 0.5 x 2 = 1, value 0.5 x 300 = 150
    assertThat(model.getContacted()).isEqualTo(2);
    assertThat(model.getChurnersReached()).isEqualTo(2);
    assertThat(model.getExpectedRetained()).isEqualTo(1);
    assertThat(model.getValueRetained()).isEqualTo(150);
    // cost = 5 x 2 contacts + 10 x (1 retained churner + 0 non-churners) = 20; net 130; ROI 6.5
    assertThat(model.getCost()).isEqualTo(20);
    assertThat(model.getNetValue()).isEqualTo(130);
    assertThat(model.getRoi()).isEqualTo(6.5);
    // break-even: s (300 - 10 x 2) = 5 x 2 + 10 x 0 -> s = 10 / 280
    assertThat(model.getBreakEvenSaveRate()).isCloseTo(10.0 / 280, within(1e-15));
    // at s = 0.1: value 30, cost 10 + 10 x 0.2 = 12, net 18, ROI 1.5
    assertThat(model.getSaveRateGrid(0).getSaveRate()).isEqualTo(0.1);
    assertThat(model.getSaveRateGrid(0).getNetValue()).isCloseTo(18, within(1e-12));
    assertThat(model.getSaveRateGrid(0).getRoi()).isCloseTo(1.5, within(1e-12));
    assertThat(model.getSaveRateGrid(1).getNetValue()).isEqualTo(130);
  }

  @Test
  void heuristicPaysForAnOfferToACustomerWhoStaysAnyway() {
    StrategyFigures heuristic = strategy(handFold(), Economics.HEURISTIC);
    // rows 3 (churner worth 10) and 1 (stays): retained 0.5, value 5
    assertThat(heuristic.getChurnersReached()).isEqualTo(1);
    assertThat(heuristic.getValueRetained()).isEqualTo(5);
    // cost = 5 x 2 + 10 x (0.5 + 1) = 25; net -20; ROI -0.8
    assertThat(heuristic.getCost()).isEqualTo(25);
    assertThat(heuristic.getNetValue()).isEqualTo(-20);
    assertThat(heuristic.getRoi()).isEqualTo(-0.8);
    // slope 10 - 10 x 1 = 0: no save rate makes it pay
    assertThat(heuristic.hasBreakEvenSaveRate()).isFalse();
  }

  @Test
  void randomTargetingIsItsExpectation() {
    StrategyFigures random = strategy(handFold(), Economics.RANDOM);
    // each of 6 contacted with probability 2/6: reached 3 x 1/3 = 1, value (100 + 200 + 10) / 3
    assertThat(random.getContacted()).isCloseTo(2, within(1e-12));
    assertThat(random.getChurnersReached()).isCloseTo(1, within(1e-12));
    assertThat(random.getValueRetained()).isCloseTo(0.5 * 310 / 3, within(1e-12));
    // cost = 10 + 10 x (0.5 + 2 - 1) = 25; net = 155/3 - 25
    assertThat(random.getCost()).isCloseTo(25, within(1e-12));
    assertThat(random.getNetValue()).isCloseTo(155.0 / 3 - 25, within(1e-12));
  }

  @Test
  void statusQuoIsZeroAndOracleIsTheCeiling() {
    List<StrategyFigures> figures = handFold();
    StrategyFigures quo = strategy(figures, Economics.STATUS_QUO);
    assertThat(List.of(quo.getContacted(), quo.getCost(), quo.getNetValue(), quo.getRoi()))
        .containsOnly(0.0);
    assertThat(quo.getNetValueCi95().getLow()).isZero();
    assertThat(quo.getNetValueCi95().getHigh()).isZero();
    StrategyFigures oracle = strategy(figures, Economics.ORACLE);
    // the churners worth 200 and 100: the model happened to find exactly them
    assertThat(oracle.getNetValue()).isEqualTo(130);
    for (StrategyFigures f : figures) {
      assertThat(f.getNetValue()).isLessThanOrEqualTo(oracle.getNetValue());
      assertThat(f.getChurnersReached()).isLessThanOrEqualTo(oracle.getChurnersReached());
    }
  }

  @Test
  void oracleNeverContactsMoreThanTheChurners() {
    double[] p = Targeting.oracle(CHURNER, VALUE, 5);
    assertThat(p).containsExactly(1, 0, 1, 1, 0, 0);
  }

  @Test
  void capacityAsAShareOrANumber() {
    assertThat(Capacity.parse("50%").contacts(6)).isEqualTo(3);
    assertThat(Capacity.parse("10%").contacts(6)).isEqualTo(1); // round(0.6)
    assertThat(Capacity.parse("500").contacts(6)).isEqualTo(6);
    assertThat(Capacity.parse("4").contacts(6)).isEqualTo(4);
    assertThat(Capacity.parse("10%").toString()).isEqualTo("top 10%");
    assertThatThrownBy(() -> Capacity.parse("ten"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--capacity");
    assertThatThrownBy(() -> Capacity.parse("0%")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> new Campaign(Capacity.topN(1), -1, 0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--costPerContact");
    assertThatThrownBy(() -> Campaign.saveRate("--saveRate", 1.5))
        .isInstanceOf(InvalidInputException.class);
  }

  /** 300 customers (the six, fifty times): large enough for the sum to be close to normal. */
  private static boolean[] churners300() {
    boolean[] c = new boolean[300];
    for (int i = 0; i < 300; i++) {
      c[i] = CHURNER[i % 6];
    }
    return c;
  }

  @Test
  void bootstrapIntervalMatchesTheNormalApproximation() {
    boolean[] churner = churners300();
    double[] value = new double[300];
    double[] contacted = new double[300];
    for (int i = 0; i < 300; i++) {
      value[i] = VALUE[i % 6];
      contacted[i] = i % 2 == 0 ? 1 : 0; // rows 0, 2, 4 of each six
    }
    Economics economics = new Economics(CAMPAIGN, 0.5, new double[0], 4000, 2, 11);
    StrategyFigures f =
        economics
            .measure(1, List.of(new Economics.Strategy("x", contacted)), churner, value)
            .figures()
            .get(0);
    // per-entity nets of one block of six: 0.5 x 90 - 5 = 40, 0, 0.5 x 190 - 5 = 90, 0, -15, 0
    double[] block = {40, 0, 90, 0, -15, 0};
    double mean = (40 + 90 - 15) / 6.0;
    double var = 0;
    for (double x : block) {
      var += (x - mean) * (x - mean) / 6;
    }
    double sd = Math.sqrt(300 * var); // the sum of 300 draws with replacement
    assertThat(f.getNetValue()).isCloseTo(50 * 115, within(1e-9));
    assertThat(f.getNetValueCi95().getLow())
        .isCloseTo(50 * 115 - 1.96 * sd, within(0.1 * 1.96 * sd));
    assertThat(f.getNetValueCi95().getHigh())
        .isCloseTo(50 * 115 + 1.96 * sd, within(0.1 * 1.96 * sd));
  }

  @Test
  void seededDrawsScatterAroundTheExpectationAsTheHypergeometricSays() {
    boolean[] churner = churners300(); // 150 churners of 300
    double[] value = new double[300];
    java.util.Arrays.fill(value, 100);
    Economics economics =
        new Economics(new Campaign(Capacity.topN(60), 5, 10), 0.5, new double[0], 2, 2000, 3);
    List<StrategyFigures> figures =
        economics
            .measure(
                5,
                economics.strategies(new double[300], new double[300], churner, value),
                churner,
                value)
            .figures();
    StrategyFigures random = strategy(figures, Economics.RANDOM);
    // hypergeometric: mean k K / N = 60 x 150 / 300 = 30; variance k (K/N)(1 - K/N)(N - k)/(N - 1)
    double variance = 60 * 0.5 * 0.5 * 240 / 299.0;
    assertThat(random.getChurnersReached()).isCloseTo(30, within(1e-9));
    assertThat(random.getDraws().getChurnersReachedMean())
        .isCloseTo(30, within(4 * Math.sqrt(variance / 2000)));
    // the sample SD of 2000 draws is within 10% of the true SD (its own SD is about 1.6%)
    assertThat(random.getDraws().getChurnersReachedSd())
        .isCloseTo(Math.sqrt(variance), within(0.1 * Math.sqrt(variance)));
    // same seed, same draws
    assertThat(
            economics
                .measure(
                    5,
                    economics.strategies(new double[300], new double[300], churner, value),
                    churner,
                    value)
                .figures())
        .isEqualTo(figures);
  }

  @Test
  void aggregateIsTheMeanOverFoldsWithTheSpreadAcrossThem() {
    FoldOutcome first = fold(19_800, CHURNER, VALUE);
    // the second fold: the same customers but row 2 stays, so the model reaches only row 0
    boolean[] second = {true, false, false, true, false, false};
    FoldOutcome other = fold(19_807, second, VALUE);
    StrategyFigures model2 = strategy(other.getFold().getStrategiesList(), Economics.MODEL);
    // rows 2 (stays) and 0: reached 1, value 100 -> 50; cost 10 + 10 x (0.5 + 1) = 25; net 25
    assertThat(model2.getNetValue()).isEqualTo(25);

    BacktestAggregate aggregate = ECONOMICS.aggregate(List.of(first, other), 1);
    assertThat(aggregate.getCompleteFolds()).isEqualTo(2);
    assertThat(aggregate.getIncompleteFolds()).isEqualTo(1);
    StrategyFigures model = strategy(aggregate.getStrategiesList(), Economics.MODEL);
    assertThat(model.getNetValue()).isCloseTo((130 + 25) / 2.0, within(1e-12));
    assertThat(model.getChurnersReached()).isEqualTo(1.5);
    // ROI of the mean: 77.5 / ((20 + 25) / 2)
    assertThat(model.getRoi()).isCloseTo(77.5 / 22.5, within(1e-12));
    // sample SD of (130, 25) = 105 / sqrt 2
    assertThat(model.getNetValueSd()).isCloseTo(105 / Math.sqrt(2), within(1e-9));
    assertThat(model.getChurnersReachedSd()).isCloseTo(1 / Math.sqrt(2), within(1e-12));
    // break-even of the mean reach: C 2, R 1.5, V 200 -> (10 + 10 x 0.5) / (200 - 15)
    assertThat(model.getBreakEvenSaveRate()).isCloseTo(15.0 / 185, within(1e-12));
    assertThat(model.getNetValueCi95().getLow()).isLessThanOrEqualTo(model.getNetValue());
    assertThat(model.getNetValueCi95().getHigh()).isGreaterThanOrEqualTo(model.getNetValue());
  }

  private static FoldOutcome fold(int day, boolean[] churner, double[] value) {
    Economics.Measured m =
        ECONOMICS.measure(
            day, ECONOMICS.strategies(MODEL, HEURISTIC, churner, value), churner, value);
    return FoldOutcome.newBuilder()
        .setFold(BacktestFold.newBuilder().setComplete(true).addAllStrategies(m.figures()))
        .addAllReplicates(m.replicates())
        .build();
  }
}
