package io.mlproof.pipelines.evaluate;

import io.mlproof.proto.v1.Lead;
import io.mlproof.proto.v1.Uncertainty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * How sure the test rows let us be that the model leads the best baseline: a seeded paired
 * bootstrap. Each resample draws n of the n test rows with replacement; the model and every
 * baseline are measured on the same drawn rows (paired, so the noise they share cancels), and the
 * lead is the model's figure minus the best baseline's <em>in that resample</em> (so picking the
 * best baseline is part of what is resampled). The 95% interval is the 2.5th and 97.5th percentile
 * of the leads (linear interpolation between order statistics, numpy's default).
 *
 * <p>A resample is a row-count vector, so no resampled array is built: F1 is weighted counts, and
 * ROC-AUC walks each contender's ranking, sorted once, with weights. The targeted rows are fixed
 * (threshold and heuristic were chosen on validation rows; a top-k cut was made on all test rows),
 * so the interval is about the test rows' sampling noise, not about re-choosing the cut.
 *
 * <p>The draws are one sequence from the seed, made on the calling thread; the figures of each
 * resample, the costly part, are computed on a few threads while the next resamples are drawn. A
 * resample's figures depend only on its draws, so the result is the same on any number of threads.
 */
public final class PairedBootstrap {
  public static final String METHOD =
      "paired bootstrap over the test rows, 95% percentile interval";
  public static final String F1 = "f1";
  public static final String ROC_AUC = "roc_auc";

  /** The fewest resamples an interval is reported with. */
  public static final int MIN_RESAMPLES = 1000;

  /** Resamples drawn ahead of the threads that measure them. */
  private static final int BATCH = 16;

  private final int resamples;
  private final long seed;
  private final int threads;

  public PairedBootstrap(int resamples, long seed) {
    this(resamples, seed, Math.min(4, Runtime.getRuntime().availableProcessors()));
  }

  PairedBootstrap(int resamples, long seed, int threads) {
    if (resamples < MIN_RESAMPLES) {
      throw new IllegalArgumentException(
          "the bootstrap needs at least " + MIN_RESAMPLES + " resamples, got " + resamples);
    }
    this.resamples = resamples;
    this.seed = seed;
    this.threads = Math.max(1, threads);
  }

  /**
   * One classifier at its operating point.
   *
   * @param targeted who it targets; null for random targeting of the model's share, taken in
   *     closed-form expectation (F1 = 2pf / (p + f) with the resample's base rate p and the model's
   *     targeted share f)
   * @param ranking its ranking score (higher = more likely positive; infinities allowed, no NaN);
   *     null for a ranking that carries no information (ROC-AUC 0.5)
   */
  public record Contender(String name, boolean[] targeted, double[] ranking) {}

  /** The model's lead over the best of {@code baselines} in F1 and ROC-AUC on {@code labels}. */
  public Uncertainty lead(boolean[] labels, Contender model, List<Contender> baselines) {
    if (model.targeted() == null || model.ranking() == null) {
      throw new IllegalArgumentException("the model needs targeted rows and a ranking");
    }
    int n = labels.length;
    Scorer modelScorer = new Scorer(model, labels);
    Scorer[] baselineScorers =
        baselines.stream().map(b -> new Scorer(b, labels)).toArray(Scorer[]::new);
    int[] ones = new int[n];
    Arrays.fill(ones, 1);
    int[] labelFlags = new int[n];
    for (int i = 0; i < n; i++) {
      labelFlags[i] = labels[i] ? 1 : 0;
    }
    Figures full = figures(ones, labelFlags, modelScorer, baselineScorers);
    if (full == null) {
      throw new IllegalArgumentException(
          "the test rows need both classes for a lead to mean anything");
    }
    Figures[] resampled = resample(labelFlags, modelScorer, baselineScorers);
    double[] f1Leads = new double[resamples];
    double[] aucLeads = new double[resamples];
    int kept = 0;
    int degenerate = 0;
    for (Figures f : resampled) {
      if (f == null) {
        degenerate++;
        continue;
      }
      f1Leads[kept] = f.f1Lead;
      aucLeads[kept] = f.aucLead;
      kept++;
    }
    return Uncertainty.newBuilder()
        .setMethod(METHOD)
        .setResamples(resamples)
        .setSeed(seed)
        .setDegenerateResamples(degenerate)
        .setOperatingPoint(lead(F1, full.f1Baseline, full.f1Lead, Arrays.copyOf(f1Leads, kept)))
        .setRocAuc(lead(ROC_AUC, full.aucBaseline, full.aucLead, Arrays.copyOf(aucLeads, kept)))
        .build();
  }

  /**
   * Each resample's figures (null where it held one class only), in draw order. Two buffers of
   * {@link #BATCH} row-count vectors: this thread draws into one while the pool measures the other.
   */
  private Figures[] resample(int[] labels, Scorer model, Scorer[] baselines) {
    int n = labels.length;
    Figures[] measured = new Figures[resamples];
    int[][][] buffers = {new int[BATCH][n], new int[BATCH][n]};
    SplittableRandom random = new SplittableRandom(seed);
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread thread = new Thread(r, "paired-bootstrap");
              thread.setDaemon(true);
              return thread;
            });
    try {
      List<Future<?>> measuring = List.of();
      for (int start = 0, batch = 0; start < resamples; start += BATCH, batch++) {
        int[][] weights = buffers[batch % 2];
        int size = Math.min(BATCH, resamples - start);
        for (int j = 0; j < size; j++) {
          Arrays.fill(weights[j], 0);
          for (int i = 0; i < n; i++) {
            weights[j][random.nextInt(n)]++;
          }
        }
        // The batch before this one used the other buffer, which the next batch draws into.
        awaitAll(measuring);
        List<Future<?>> next = new ArrayList<>(size);
        for (int j = 0; j < size; j++) {
          int[] w = weights[j];
          int b = start + j;
          next.add(pool.submit(() -> measured[b] = figures(w, labels, model, baselines)));
        }
        measuring = next;
      }
      awaitAll(measuring);
    } finally {
      pool.shutdownNow();
    }
    return measured;
  }

  private static void awaitAll(List<Future<?>> futures) {
    try {
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during the paired bootstrap", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the paired bootstrap failed: " + e.getCause(), e.getCause());
    }
  }

  private static Lead lead(String metric, String baseline, double estimate, double[] leads) {
    Arrays.sort(leads);
    return Lead.newBuilder()
        .setMetric(metric)
        .setBaseline(baseline)
        .setEstimate(estimate)
        .setCi95Low(quantile(leads, 0.025))
        .setCi95High(quantile(leads, 0.975))
        .build();
  }

  /** The q-quantile of sorted values, interpolating linearly between order statistics. */
  static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double position = q * (sorted.length - 1);
    int lower = (int) Math.floor(position);
    int upper = Math.min(sorted.length - 1, lower + 1);
    return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
  }

  private record Figures(double f1Lead, String f1Baseline, double aucLead, String aucBaseline) {}

  /** Leads on one weighting of the rows; null when the weighted rows hold one class only. */
  private static Figures figures(int[] w, int[] labels, Scorer model, Scorer[] baselines) {
    long positives = 0;
    long total = 0;
    for (int i = 0; i < w.length; i++) {
      total += w[i];
      positives += w[i] * labels[i];
    }
    if (positives == 0 || positives == total) {
      return null;
    }
    long[] modelCounts = model.targetedCounts(w);
    double modelShare = (modelCounts[0] + modelCounts[1]) / (double) total;
    double modelF1 = Scorer.f1(modelCounts, positives);
    double modelAuc = model.rocAuc(w, positives, total - positives);
    double bestF1 = Double.NEGATIVE_INFINITY;
    double bestAuc = Double.NEGATIVE_INFINITY;
    String f1Name = "";
    String aucName = "";
    for (Scorer b : baselines) {
      double f1 = b.f1(w, positives, total, modelShare);
      double auc = b.rocAuc(w, positives, total - positives);
      if (f1 > bestF1) {
        bestF1 = f1;
        f1Name = b.contender.name();
      }
      if (auc > bestAuc) {
        bestAuc = auc;
        aucName = b.contender.name();
      }
    }
    return new Figures(modelF1 - bestF1, f1Name, modelAuc - bestAuc, aucName);
  }

  /**
   * A contender prepared once for the resamples' passes: its targeted positives and negatives as
   * 0/1 ints, and its rows in ranking order with their labels, cut into groups of tied scores.
   * Weights are multiplied by flags rather than branched on: with labels and targeting mixed in
   * random order, a branch per row was mispredicted about half the time.
   */
  private static final class Scorer {
    final Contender contender;

    /** 1 where the contender targets a positive row, else 0; null for random targeting. */
    final int[] targetedPositive;

    /** 1 where it targets a negative row, else 0. */
    final int[] targetedNegative;

    final boolean targetsNobody;

    /**
     * Row indices by descending score (null: no ranking), their labels, and each tie group's end.
     */
    final int[] order;

    final int[] labelInOrder;
    final int[] groupEnds;

    Scorer(Contender contender, boolean[] labels) {
      this.contender = contender;
      int n = labels.length;
      int targetedRows = contender.targeted() == null ? n : contender.targeted().length;
      int rankedRows = contender.ranking() == null ? n : contender.ranking().length;
      if (targetedRows != n || rankedRows != n) {
        throw new IllegalArgumentException(
            contender.name()
                + " covers "
                + Math.min(targetedRows, rankedRows)
                + " rows, the labels "
                + n);
      }
      boolean[] targeted = contender.targeted();
      if (targeted == null) {
        targetedPositive = null;
        targetedNegative = null;
        targetsNobody = false;
      } else {
        targetedPositive = new int[n];
        targetedNegative = new int[n];
        for (int i = 0; i < n; i++) {
          targetedPositive[i] = targeted[i] && labels[i] ? 1 : 0;
          targetedNegative[i] = targeted[i] && !labels[i] ? 1 : 0;
        }
        targetsNobody = IntStream.range(0, n).noneMatch(i -> targeted[i]);
      }
      double[] ranking = contender.ranking();
      if (ranking == null) {
        order = null;
        labelInOrder = null;
        groupEnds = null;
      } else {
        order = Ranking.descending(ranking);
        labelInOrder = new int[n];
        int[] ends = new int[n];
        int groups = 0;
        for (int i = 0; i < n; i++) {
          labelInOrder[i] = labels[order[i]] ? 1 : 0;
          if (i + 1 == n || ranking[order[i + 1]] != ranking[order[i]]) {
            ends[groups++] = i + 1;
          }
        }
        groupEnds = Arrays.copyOf(ends, groups);
      }
    }

    /**
     * The weighted targeted positives (true positives) and targeted negatives (false positives).
     */
    long[] targetedCounts(int[] w) {
      if (targetsNobody) {
        return new long[] {0, 0}; // the status quo: no pass over the rows
      }
      long tp = 0;
      long fp = 0;
      for (int i = 0; i < w.length; i++) {
        tp += w[i] * targetedPositive[i];
        fp += w[i] * targetedNegative[i];
      }
      return new long[] {tp, fp};
    }

    double f1(int[] w, long positives, long total, double modelShare) {
      if (targetedPositive == null) {
        double p = (double) positives / total;
        return modelShare == 0 ? 0 : 2 * p * modelShare / (p + modelShare);
      }
      return f1(targetedCounts(w), positives);
    }

    /** 2tp / (2tp + fp + fn), with fn = positives - tp. */
    static double f1(long[] counts, long positives) {
      long tp = counts[0];
      return tp == 0 ? 0 : 2.0 * tp / (tp + counts[1] + positives);
    }

    /** Weighted Mann-Whitney: a tied positive/negative pair counts one half. */
    double rocAuc(int[] w, long positives, long negatives) {
      if (order == null) {
        return 0.5;
      }
      double wins = 0;
      long negativesSeen = 0;
      int i = 0;
      for (int end : groupEnds) {
        long pos = 0;
        long weight = 0;
        for (; i < end; i++) {
          int rowWeight = w[order[i]];
          pos += rowWeight * labelInOrder[i];
          weight += rowWeight;
        }
        long neg = weight - pos;
        long negativesBelow = negatives - negativesSeen - neg;
        wins += pos * (negativesBelow + neg / 2.0);
        negativesSeen += neg;
      }
      return wins / ((double) positives * negatives);
    }
  }
}
