package io.mlproof.pipelines.evaluate;

import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.proto.v1.ClassificationMetrics;
import io.mlproof.proto.v1.ConfusionMatrix;
import io.mlproof.proto.v1.EvaluationResult;
import io.mlproof.proto.v1.FeatureImportance;
import io.mlproof.proto.v1.LiftPoint;
import io.mlproof.proto.v1.OperatingPoint;
import java.util.List;

/**
 * Measures the model and the baselines on the test rows at one operating point, with a paired
 * bootstrap interval of the model's lead.
 *
 * <p>Nothing here chooses anything from the test rows' labels: the model's threshold and the
 * heuristic rule come in already chosen on the validation rows ({@link Inputs}); the test rows only
 * measure. (Under {@link OperatingPointRule#TOP_K} the cut is the top share of the test rows by
 * score, which reads their scores, never their labels, as a campaign would.)
 */
public final class Evaluator {
  /** The top fractions lift and gains are reported at. */
  public static final double[] LIFT_FRACTIONS = {0.05, 0.10, 0.20};

  public static final String STATUS_QUO = "status_quo";
  public static final String RANDOM = "random";

  private final OperatingPointRule rule;
  private final double topFraction;
  private final BlessCriteria criteria;
  private final PairedBootstrap bootstrap;

  /**
   * @param topFraction share of rows targeted under {@link OperatingPointRule#TOP_K}
   * @param criteria what the verdict requires (the bless stage may decide again with its own)
   */
  public Evaluator(
      OperatingPointRule rule,
      double topFraction,
      BlessCriteria criteria,
      PairedBootstrap bootstrap) {
    if (!(topFraction > 0 && topFraction <= 1)) {
      throw new IllegalArgumentException("top fraction must be in (0, 1], got " + topFraction);
    }
    this.rule = rule;
    this.topFraction = topFraction;
    this.criteria = criteria;
    this.bootstrap = bootstrap;
  }

  /**
   * One evaluation: the test rows and what was chosen before they were read.
   *
   * @param modelThreshold the model's best-F1 threshold, chosen on the validation scores
   * @param heuristic the heuristic rule, tuned on the validation rows
   * @param baseRate the positive rate of the rows the model learned from (the status quo's
   *     probability)
   */
  public record Inputs(
      LabeledMatrix test,
      double[] testScores,
      double modelThreshold,
      ThresholdRule heuristic,
      double baseRate,
      List<FeatureImportance> importance,
      io.mlproof.proto.v1.Selection selection) {}

  public EvaluationResult evaluate(Inputs in) {
    LabeledMatrix test = in.test();
    boolean[] labels = test.labels();
    requireBothClasses("test", labels);

    Metrics.Ranked model = new Metrics.Ranked(in.testScores(), labels);
    Pick modelPick =
        rule == OperatingPointRule.TOP_K
            ? topK(model)
            : atThreshold(in.modelThreshold(), in.testScores());
    ClassificationMetrics modelMetrics =
        metrics("model", modelPick, model, in.testScores(), labels, true);
    double targetedFraction = modelPick.targetedFraction(labels.length);

    ThresholdRule heuristic = in.heuristic();
    int n = test.rows();
    double[] heuristicRanking = new double[n];
    double[] heuristicProbability = new double[n];
    boolean[] heuristicTargeted = new boolean[n];
    for (int r = 0; r < n; r++) {
      double x = test.value(r, heuristic.column());
      heuristicRanking[r] = heuristic.rankingScore(x);
      heuristicProbability[r] = heuristic.probability(x);
      heuristicTargeted[r] = heuristic.targets(x);
    }
    Metrics.Ranked heuristicRanked = new Metrics.Ranked(heuristicRanking, labels);
    Pick heuristicPick =
        rule == OperatingPointRule.BEST_F1
            ? new Pick(heuristic.threshold(), heuristicTargeted)
            : topK(heuristicRanked);

    double[] constant = new double[n];
    java.util.Arrays.fill(constant, in.baseRate());
    Metrics.Ranked constantRanked = new Metrics.Ranked(constant, labels);
    Pick nobody = new Pick(Double.POSITIVE_INFINITY, new boolean[n]);

    EvaluationResult.Builder result =
        EvaluationResult.newBuilder()
            .setModel(modelMetrics)
            .addBaselines(metrics(STATUS_QUO, nobody, constantRanked, constant, labels, true))
            .addBaselines(random(targetedFraction, constantRanked, constant, labels))
            .addBaselines(
                metrics(
                    heuristic.name(),
                    heuristicPick,
                    heuristicRanked,
                    heuristicProbability,
                    labels,
                    false))
            .addAllImportance(in.importance())
            .setExamples(n)
            .setPositives(model.positives())
            .setSelection(in.selection())
            .setUncertainty(
                bootstrap.lead(
                    labels,
                    new PairedBootstrap.Contender("model", modelPick.targeted(), in.testScores()),
                    List.of(
                        new PairedBootstrap.Contender(STATUS_QUO, nobody.targeted(), null),
                        new PairedBootstrap.Contender(RANDOM, null, null),
                        new PairedBootstrap.Contender(
                            heuristic.name(), heuristicPick.targeted(), heuristicRanking))));
    return result.setVerdict(Verdicts.againstBaselines(result.build(), criteria)).build();
  }

  /** Who is targeted and at which threshold. */
  private record Pick(double threshold, boolean[] targeted) {
    double targetedFraction(int rows) {
      long count = 0;
      for (boolean t : targeted) {
        count += t ? 1 : 0;
      }
      return (double) count / rows;
    }
  }

  private static Pick atThreshold(double threshold, double[] scores) {
    boolean[] targeted = new boolean[scores.length];
    for (int r = 0; r < scores.length; r++) {
      targeted[r] = scores[r] >= threshold;
    }
    return new Pick(threshold, targeted);
  }

  private Pick topK(Metrics.Ranked ranked) {
    long k = Math.round(topFraction * ranked.order().length);
    return new Pick(ranked.scoreAtRank(k), ranked.topK(k));
  }

  /**
   * @param rankedByProbability whether {@code ranked} orders the rows by {@code probabilities} too
   */
  private ClassificationMetrics metrics(
      String name,
      Pick pick,
      Metrics.Ranked ranked,
      double[] probabilities,
      boolean[] labels,
      boolean rankedByProbability) {
    Confusion confusion = Confusion.of(pick.targeted(), labels);
    ClassificationMetrics.Builder m =
        ClassificationMetrics.newBuilder()
            .setName(name)
            .setOperatingPoint(
                OperatingPoint.newBuilder()
                    .setRule(rule.proto())
                    .setThreshold(pick.threshold())
                    .setTargetedFraction((double) confusion.targeted() / labels.length))
            .setConfusion(confusion.toProto())
            .setPrecision(confusion.precision())
            .setRecall(confusion.recall())
            .setF1(confusion.f1())
            .setAccuracy(confusion.accuracy())
            .setRocAuc(ranked.rocAuc())
            .setPrAuc(ranked.averagePrecision())
            .setLogLoss(Metrics.logLoss(probabilities, labels))
            .setBrier(Metrics.brier(probabilities, labels))
            .addAllCalibration(
                rankedByProbability
                    ? Metrics.calibration(probabilities, labels, ranked.order())
                    : Metrics.calibration(probabilities, labels));
    for (double fraction : LIFT_FRACTIONS) {
      m.addLift(ranked.lift(fraction));
    }
    return m.build();
  }

  /**
   * Random targeting of the model's share f of the rows, in expectation (closed form, so no seed
   * and no sampling noise): precision is the base rate p, recall is f, F1 = 2pf / (p + f); the
   * ranking carries no information (ROC-AUC 0.5, PR-AUC p, lift 1); its probability is the training
   * base rate, like the status quo's. Confusion counts are the expected counts, rounded.
   */
  private ClassificationMetrics random(
      double fraction, Metrics.Ranked constantRanked, double[] constant, boolean[] labels) {
    int n = labels.length;
    long positives = constantRanked.positives();
    double p = (double) positives / n;
    double tp = fraction * positives;
    double fp = fraction * (n - positives);
    double f1 = p + fraction == 0 ? 0 : 2 * p * fraction / (p + fraction);
    ClassificationMetrics.Builder m =
        ClassificationMetrics.newBuilder()
            .setName(RANDOM)
            .setOperatingPoint(
                OperatingPoint.newBuilder()
                    .setRule(rule.proto())
                    .setThreshold(Double.NaN)
                    .setTargetedFraction(fraction))
            .setConfusion(
                ConfusionMatrix.newBuilder()
                    .setTruePositives(Math.round(tp))
                    .setFalsePositives(Math.round(fp))
                    .setFalseNegatives(positives - Math.round(tp))
                    .setTrueNegatives((n - positives) - Math.round(fp)))
            .setPrecision(fraction == 0 ? 0 : p)
            .setRecall(fraction)
            .setF1(fraction == 0 ? 0 : f1)
            .setAccuracy(fraction * p + (1 - fraction) * (1 - p))
            .setRocAuc(0.5)
            .setPrAuc(p)
            .setLogLoss(Metrics.logLoss(constant, labels))
            .setBrier(Metrics.brier(constant, labels))
            .addAllCalibration(Metrics.calibration(constant, labels, constantRanked.order()));
    for (double f : LIFT_FRACTIONS) {
      m.addLift(LiftPoint.newBuilder().setTopFraction(f).setGain(f).setLift(1.0));
    }
    return m.build();
  }

  /** Fails the run when {@code what} rows are empty or hold one class only. */
  public static void requireBothClasses(String what, boolean[] labels) {
    if (labels.length == 0) {
      throw new RunFailedException(
          "the " + what + " rows are empty: nothing to train or evaluate on");
    }
    double rate = Metrics.positiveRate(labels);
    if (rate == 0 || rate == 1) {
      throw new RunFailedException(
          "the "
              + what
              + " rows ("
              + labels.length
              + ") are all "
              + (rate == 0 ? "negative" : "positive")
              + ": a classifier cannot be trained or evaluated on one class (check the label definition"
              + " and the cutoff dates)");
    }
  }
}
