package io.mlproof.pipelines.backtest;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.proto.v1.BacktestAggregate;
import io.mlproof.proto.v1.FoldOutcome;
import io.mlproof.proto.v1.Interval;
import io.mlproof.proto.v1.RandomDraws;
import io.mlproof.proto.v1.SaveRatePoint;
import io.mlproof.proto.v1.StrategyFigures;
import io.mlproof.proto.v1.StrategyReplicates;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The campaign in money per fold and over folds: figures per strategy at the assumed save rate, the
 * save-rate grid and break-even, a seeded bootstrap over entities, and seeded draws of random
 * targeting around its expectation.
 *
 * <p>The bootstrap resamples a fold's entities with replacement and keeps each strategy's contacts
 * fixed: it measures how much the figures owe to which customers happened to be in the fold, not
 * how the ranking would change on other customers. The same resampled entities serve every strategy
 * (paired), and each fold draws from its own seed (from {@code seed} and its cutoff day), so one
 * fold's figures do not depend on which other folds ran.
 */
public final class Economics implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String MODEL = "model";
  public static final String HEURISTIC = "heuristic";
  public static final String RANDOM = "random";
  public static final String STATUS_QUO = "status_quo";
  public static final String ORACLE = "oracle";

  private final Campaign campaign;
  private final double saveRate;
  private final double[] grid;
  private final int bootstrapResamples;
  private final int randomDraws;
  private final long seed;

  /**
   * @param saveRate the assumed share of contacted would-be churners the campaign keeps
   * @param grid further save rates the net value is reported at
   */
  public Economics(
      Campaign campaign,
      double saveRate,
      double[] grid,
      int bootstrapResamples,
      int randomDraws,
      long seed) {
    this.campaign = campaign;
    this.saveRate = Campaign.saveRate("the save rate", saveRate);
    this.grid =
        Arrays.stream(grid)
            .map(s -> Campaign.saveRate("--saveRateGrid", s))
            .sorted()
            .distinct()
            .toArray();
    if (bootstrapResamples < 2) {
      throw new InvalidInputException(
          "--bootstrapResamples must be at least 2, got " + bootstrapResamples);
    }
    if (randomDraws < 2) {
      throw new InvalidInputException("--randomDraws must be at least 2, got " + randomDraws);
    }
    this.bootstrapResamples = bootstrapResamples;
    this.randomDraws = randomDraws;
    this.seed = seed;
  }

  public Campaign campaign() {
    return campaign;
  }

  public double saveRate() {
    return saveRate;
  }

  public double[] grid() {
    return grid.clone();
  }

  public int bootstrapResamples() {
    return bootstrapResamples;
  }

  public int randomDraws() {
    return randomDraws;
  }

  public long seed() {
    return seed;
  }

  /** A strategy's contacts at one fold. */
  public record Strategy(String name, double[] contactProbability) {}

  /** The five strategies at one fold, given the model's and the heuristic's ranking scores. */
  public List<Strategy> strategies(
      double[] modelScores, double[] heuristicScores, boolean[] churner, double[] value) {
    int n = churner.length;
    int k = campaign.capacity().contacts(n);
    return List.of(
        new Strategy(MODEL, Targeting.topK(modelScores, k)),
        new Strategy(HEURISTIC, Targeting.topK(heuristicScores, k)),
        new Strategy(RANDOM, Targeting.random(n, k)),
        new Strategy(STATUS_QUO, Targeting.none(n)),
        new Strategy(ORACLE, Targeting.oracle(churner, value, k)));
  }

  /** One fold's figures per strategy, with the bootstrap replicates the aggregate needs. */
  public record Measured(List<StrategyFigures> figures, List<StrategyReplicates> replicates) {}

  public Measured measure(
      int cutoffDay, List<Strategy> strategies, boolean[] churner, double[] value) {
    int n = churner.length;
    SplittableRandom foldRandom = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + cutoffDay);
    SplittableRandom bootstrapRandom = foldRandom.split();
    SplittableRandom drawRandom = foldRandom.split();
    int s = strategies.size();
    double[][] net = new double[s][];
    double[][] reached = new double[s][];
    for (int j = 0; j < s; j++) {
      double[] p = strategies.get(j).contactProbability();
      net[j] = campaign.netPerEntity(p, churner, value, saveRate);
      reached[j] = new double[n];
      for (int i = 0; i < n; i++) {
        reached[j][i] = churner[i] ? p[i] : 0;
      }
    }
    // The resampling loop is the backtest's hottest (more than LightGBM on the 100,000-user demo):
    // each entity's figures sit side by side so a draw reads one or two cache lines, not 2s arrays.
    // Every replicate still adds the same values in the same order as a per-strategy loop would.
    int width = 2 * s;
    double[] rows = new double[n * width];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < s; j++) {
        rows[i * width + 2 * j] = net[j][i];
        rows[i * width + 2 * j + 1] = reached[j][i];
      }
    }
    double[][] netReplicates = new double[s][bootstrapResamples];
    double[][] reachedReplicates = new double[s][bootstrapResamples];
    double[] sums = new double[width];
    for (int b = 0; b < bootstrapResamples; b++) {
      Arrays.fill(sums, 0);
      for (int draw = 0; draw < n; draw++) {
        int base = bootstrapRandom.nextInt(n) * width;
        for (int k = 0; k < width; k++) {
          sums[k] += rows[base + k];
        }
      }
      for (int j = 0; j < s; j++) {
        netReplicates[j][b] = sums[2 * j];
        reachedReplicates[j][b] = sums[2 * j + 1];
      }
    }
    List<StrategyFigures> figures = new ArrayList<>();
    List<StrategyReplicates> replicates = new ArrayList<>();
    for (int j = 0; j < s; j++) {
      Strategy strategy = strategies.get(j);
      StrategyFigures.Builder f =
          figures(strategy.name(), Campaign.Reach.of(strategy.contactProbability(), churner, value))
              .setNetValueCi95(interval(netReplicates[j]))
              .setChurnersReachedCi95(interval(reachedReplicates[j]));
      if (strategy.name().equals(RANDOM)) {
        f.setDraws(randomDraws(campaign.capacity().contacts(n), churner, value, drawRandom));
      }
      figures.add(f.build());
      replicates.add(
          StrategyReplicates.newBuilder()
              .setName(strategy.name())
              .addAllNetValue(Arrays.stream(netReplicates[j]).boxed().toList())
              .addAllChurnersReached(Arrays.stream(reachedReplicates[j]).boxed().toList())
              .build());
    }
    return new Measured(figures, replicates);
  }

  /**
   * Contacted, reached, retained, value, cost, net, ROI, the grid and the break-even of a reach.
   */
  StrategyFigures.Builder figures(String name, Campaign.Reach reach) {
    Campaign.Figures at = campaign.figures(reach, saveRate);
    StrategyFigures.Builder f =
        StrategyFigures.newBuilder()
            .setName(name)
            .setContacted(at.contacted())
            .setChurnersReached(at.churnersReached())
            .setExpectedRetained(at.expectedRetained())
            .setValueOfChurnersReached(reach.valueReached())
            .setValueRetained(at.valueRetained())
            .setCost(at.cost())
            .setNetValue(at.netValue())
            .setRoi(at.roi());
    double breakEven = campaign.breakEvenSaveRate(reach);
    if (!Double.isNaN(breakEven)) {
      f.setBreakEvenSaveRate(breakEven);
    }
    for (double rate : grid) {
      Campaign.Figures g = campaign.figures(reach, rate);
      f.addSaveRateGrid(
          SaveRatePoint.newBuilder().setSaveRate(rate).setNetValue(g.netValue()).setRoi(g.roi()));
    }
    return f;
  }

  /** {@code draws} random campaigns of {@code k} entities, drawn without replacement. */
  private RandomDraws randomDraws(
      int k, boolean[] churner, double[] value, SplittableRandom random) {
    int n = churner.length;
    double[] everyone = new double[n];
    Arrays.fill(everyone, 1);
    double[] each = campaign.netPerEntity(everyone, churner, value, saveRate);
    double[] reached = new double[randomDraws];
    double[] net = new double[randomDraws];
    int[] perm = new int[n];
    for (int d = 0; d < randomDraws; d++) {
      for (int i = 0; i < n; i++) {
        perm[i] = i;
      }
      for (int i = 0; i < k; i++) {
        int j = i + random.nextInt(n - i);
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        reached[d] += churner[perm[i]] ? 1 : 0;
        net[d] += each[perm[i]];
      }
    }
    return RandomDraws.newBuilder()
        .setDraws(randomDraws)
        .setChurnersReachedMean(mean(reached))
        .setChurnersReachedSd(sd(reached))
        .setNetValueMean(mean(net))
        .setNetValueSd(sd(net))
        .build();
  }

  /**
   * Over the complete folds, per strategy: the mean per fold (the figures of the mean reach, so ROI
   * is total net over total cost), the standard deviation across folds, and a bootstrap interval of
   * the mean (replicate b is the mean of the folds' replicates b: each fold resampled on its own, a
   * stratified bootstrap).
   */
  public BacktestAggregate aggregate(List<FoldOutcome> complete, int incomplete) {
    BacktestAggregate.Builder out =
        BacktestAggregate.newBuilder()
            .setCompleteFolds(complete.size())
            .setIncompleteFolds(incomplete);
    if (complete.isEmpty()) {
      return out.build();
    }
    Map<String, List<StrategyFigures>> byName = new LinkedHashMap<>();
    Map<String, List<StrategyReplicates>> replicatesByName = new LinkedHashMap<>();
    for (FoldOutcome fold : complete) {
      fold.getFold()
          .getStrategiesList()
          .forEach(f -> byName.computeIfAbsent(f.getName(), x -> new ArrayList<>()).add(f));
      fold.getReplicatesList()
          .forEach(
              r -> replicatesByName.computeIfAbsent(r.getName(), x -> new ArrayList<>()).add(r));
    }
    int folds = complete.size();
    byName.forEach(
        (name, perFold) -> {
          Campaign.Reach mean =
              new Campaign.Reach(
                  perFold.stream().mapToDouble(StrategyFigures::getContacted).sum() / folds,
                  perFold.stream().mapToDouble(StrategyFigures::getChurnersReached).sum() / folds,
                  perFold.stream().mapToDouble(StrategyFigures::getValueOfChurnersReached).sum()
                      / folds);
          List<StrategyReplicates> reps = replicatesByName.get(name);
          double[] netMean = new double[bootstrapResamples];
          double[] reachedMean = new double[bootstrapResamples];
          for (StrategyReplicates r : reps) {
            for (int b = 0; b < bootstrapResamples; b++) {
              netMean[b] += r.getNetValue(b) / folds;
              reachedMean[b] += r.getChurnersReached(b) / folds;
            }
          }
          out.addStrategies(
              figures(name, mean)
                  .setNetValueSd(
                      sd(perFold.stream().mapToDouble(StrategyFigures::getNetValue).toArray()))
                  .setChurnersReachedSd(
                      sd(
                          perFold.stream()
                              .mapToDouble(StrategyFigures::getChurnersReached)
                              .toArray()))
                  .setExpectedRetainedSd(
                      sd(
                          perFold.stream()
                              .mapToDouble(StrategyFigures::getExpectedRetained)
                              .toArray()))
                  .setNetValueCi95(interval(netMean))
                  .setChurnersReachedCi95(interval(reachedMean)));
        });
    return out.build();
  }

  static double mean(double[] x) {
    return Arrays.stream(x).sum() / x.length;
  }

  /** Sample standard deviation (n - 1); 0 for fewer than two values. */
  static double sd(double[] x) {
    if (x.length < 2) {
      return 0;
    }
    double m = mean(x);
    double ss = 0;
    for (double v : x) {
      ss += (v - m) * (v - m);
    }
    return Math.sqrt(ss / (x.length - 1));
  }

  /** The 2.5th and 97.5th percentiles (linear interpolation between order statistics). */
  static Interval interval(double[] replicates) {
    double[] sorted = replicates.clone();
    Arrays.sort(sorted);
    return Interval.newBuilder()
        .setLow(quantile(sorted, 0.025))
        .setHigh(quantile(sorted, 0.975))
        .build();
  }

  static double quantile(double[] sorted, double q) {
    double h = (sorted.length - 1) * q;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }
}
