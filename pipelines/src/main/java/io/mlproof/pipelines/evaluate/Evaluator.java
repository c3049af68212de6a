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
 * Measures the model and the baselines on the validation rows at one operating point.
 *
 * <p>Every choice is made on the training rows: the model's best-F1 threshold (on its in-sample
 * training scores) and the heuristic's feature, direction and threshold. The validation rows only
 * measure. (Early stopping does look at the validation rows, as the time-aware split prescribes:
 * one number, the iteration count.)
 */
public final class Evaluator {
  /** The top fractions lift and gains are reported at. */
  public static final double[] LIFT_FRACTIONS = {0.05, 0.10, 0.20};

  private final OperatingPointRule rule;
  private final double topFraction;
  private final double margin;

  /**
   * @param topFraction share of rows targeted under {@link OperatingPointRule#TOP_K}
   * @param margin F1 by which the model must beat the best baseline to be blessed
   */
  public Evaluator(OperatingPointRule rule, double topFraction, double margin) {
    if (!(topFraction > 0 && topFraction <= 1)) {
      throw new IllegalArgumentException("top fraction must be in (0, 1], got " + topFraction);
    }
    if (!(margin >= 0 && margin < 1)) {
      throw new IllegalArgumentException("bless margin must be in [0, 1), got " + margin);
    }
    this.rule = rule;
    this.topFraction = topFraction;
    this.margin = margin;
  }

  /** Model and training-side inputs of one evaluation. */
  public record Inputs(
      LabeledMatrix train,
      double[] trainScores,
      LabeledMatrix validation,
      double[] validationScores,
      List<ThresholdRule.Candidate> heuristicCandidates,
      List<FeatureImportance> importance) {}

  public EvaluationResult evaluate(Inputs in) {
    LabeledMatrix validation = in.validation();
    boolean[] labels = validation.labels();
    requireBothClasses("validation", labels);
    requireBothClasses("training", in.train().labels());
    double trainRate = Metrics.positiveRate(in.train().labels());

    Metrics.Ranked model = new Metrics.Ranked(in.validationScores(), labels);
    Selection modelPick = select(model, in.validationScores(),
        () -> Metrics.bestF1Threshold(in.trainScores(), in.train().labels()));
    ClassificationMetrics modelMetrics =
        metrics("model", modelPick, model, in.validationScores(), labels, true);
    double targetedFraction = modelPick.targetedFraction(labels.length);

    ThresholdRule heuristic = ThresholdRule.tune(in.train(), in.heuristicCandidates());
    int n = validation.rows();
    double[] heuristicRanking = new double[n];
    double[] heuristicProbability = new double[n];
    boolean[] heuristicTargeted = new boolean[n];
    for (int r = 0; r < n; r++) {
      double x = validation.value(r, heuristic.column());
      heuristicRanking[r] = heuristic.rankingScore(x);
      heuristicProbability[r] = heuristic.probability(x);
      heuristicTargeted[r] = heuristic.targets(x);
    }
    Metrics.Ranked heuristicRanked = new Metrics.Ranked(heuristicRanking, labels);
    Selection heuristicPick = rule == OperatingPointRule.BEST_F1
        ? new Selection(heuristic.threshold(), heuristicTargeted)
        : topK(heuristicRanked);

    double[] constant = new double[n];
    java.util.Arrays.fill(constant, trainRate);
    Metrics.Ranked constantRanked = new Metrics.Ranked(constant, labels);

    EvaluationResult.Builder result = EvaluationResult.newBuilder()
        .setModel(modelMetrics)
        .addBaselines(metrics("status_quo", new Selection(Double.POSITIVE_INFINITY, new boolean[n]),
            constantRanked, constant, labels, true))
        .addBaselines(random(targetedFraction, constantRanked, constant, labels))
        .addBaselines(metrics(heuristic.name(), heuristicPick, heuristicRanked, heuristicProbability, labels, false))
        .addAllImportance(in.importance())
        .setExamples(n)
        .setPositives(model.positives());
    return result.setVerdict(Verdicts.againstBaselines(result.build(), margin)).build();
  }

  /** Who is targeted and at which threshold. */
  private record Selection(double threshold, boolean[] targeted) {
    double targetedFraction(int rows) {
      long count = 0;
      for (boolean t : targeted) {
        count += t ? 1 : 0;
      }
      return (double) count / rows;
    }
  }

  private Selection select(Metrics.Ranked ranked, double[] scores, java.util.function.DoubleSupplier trainThreshold) {
    if (rule == OperatingPointRule.TOP_K) {
      return topK(ranked);
    }
    double threshold = trainThreshold.getAsDouble();
    boolean[] targeted = new boolean[scores.length];
    for (int r = 0; r < scores.length; r++) {
      targeted[r] = scores[r] >= threshold;
    }
    return new Selection(threshold, targeted);
  }

  private Selection topK(Metrics.Ranked ranked) {
    long k = Math.round(topFraction * ranked.order().length);
    return new Selection(ranked.scoreAtRank(k), ranked.topK(k));
  }

  /** @param rankedByProbability whether {@code ranked} orders the rows by {@code probabilities} too */
  private ClassificationMetrics metrics(String name, Selection pick, Metrics.Ranked ranked,
      double[] probabilities, boolean[] labels, boolean rankedByProbability) {
    Confusion confusion = Confusion.of(pick.targeted(), labels);
    ClassificationMetrics.Builder m = ClassificationMetrics.newBuilder()
        .setName(name)
        .setOperatingPoint(OperatingPoint.newBuilder()
            .setRule(rule.label())
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
        .addAllCalibration(rankedByProbability
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
    ClassificationMetrics.Builder m = ClassificationMetrics.newBuilder()
        .setName("random")
        .setOperatingPoint(OperatingPoint.newBuilder()
            .setRule(rule.label())
            .setThreshold(Double.NaN)
            .setTargetedFraction(fraction))
        .setConfusion(ConfusionMatrix.newBuilder()
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

  private static void requireBothClasses(String what, boolean[] labels) {
    if (labels.length == 0) {
      throw new RunFailedException("the " + what + " rows are empty: nothing to train or evaluate on");
    }
    double rate = Metrics.positiveRate(labels);
    if (rate == 0 || rate == 1) {
      throw new RunFailedException(
          "the " + what + " rows (" + labels.length + ") are all " + (rate == 0 ? "negative" : "positive")
              + ": a classifier cannot be trained or evaluated on one class (check the label definition"
              + " and the cutoff dates)");
    }
  }
}
