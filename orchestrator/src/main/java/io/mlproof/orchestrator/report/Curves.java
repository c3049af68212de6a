package io.mlproof.orchestrator.report;

import io.mlproof.pipelines.evaluate.Ranking;
import java.util.ArrayList;
import java.util.List;

/**
 * The model's ranking curves from its scored held-out rows: ROC, precision-recall and cumulative
 * gains, one point per distinct score (rows with equal scores enter together, as a threshold cannot
 * separate them).
 */
public final class Curves {

  /** One point of a curve. */
  public record Point(double x, double y) {}

  /** The three curves of one ranking. */
  public record Ranked(List<Point> roc, List<Point> precisionRecall, List<Point> gains) {}

  private Curves() {}

  /**
   * ROC (x false-positive rate, y true-positive rate, from (0, 0) to (1, 1)); precision-recall (x
   * recall, y precision, one point per threshold, starting at the top score); gains (x share of
   * rows targeted, y share of positives captured, from (0, 0) to (1, 1)).
   */
  public static Ranked of(double[] scores, boolean[] labels) {
    if (scores.length != labels.length) {
      throw new IllegalArgumentException(
          scores.length + " scores for " + labels.length + " labels");
    }
    int n = scores.length;
    long positives = 0;
    for (boolean label : labels) {
      positives += label ? 1 : 0;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      throw new IllegalArgumentException(
          "curves need both classes: " + positives + " positives, " + negatives + " negatives");
    }
    int[] order = Ranking.descending(scores);
    List<Point> roc = new ArrayList<>(List.of(new Point(0, 0)));
    List<Point> pr = new ArrayList<>();
    List<Point> gains = new ArrayList<>(List.of(new Point(0, 0)));
    long tp = 0;
    long fp = 0;
    for (int start = 0; start < n; ) {
      int end = start;
      double score = scores[order[start]];
      while (end < n && scores[order[end]] == score) {
        if (labels[order[end]]) {
          tp++;
        } else {
          fp++;
        }
        end++;
      }
      roc.add(new Point((double) fp / negatives, (double) tp / positives));
      pr.add(new Point((double) tp / positives, (double) tp / (tp + fp)));
      gains.add(new Point((double) end / n, (double) tp / positives));
      start = end;
    }
    return new Ranked(roc, pr, gains);
  }

  /**
   * At most {@code max} points of {@code curve} for drawing, evenly spaced by index, always with
   * the first and the last (a 10,000-point polyline draws no better than a 200-point one).
   */
  public static List<Point> thin(List<Point> curve, int max) {
    if (max < 2) {
      throw new IllegalArgumentException("keep at least 2 points, not " + max);
    }
    if (curve.size() <= max) {
      return List.copyOf(curve);
    }
    List<Point> kept = new ArrayList<>();
    int last = curve.size() - 1;
    for (int i = 0; i < max; i++) {
      kept.add(curve.get((int) Math.round((double) i * last / (max - 1))));
    }
    return kept;
  }
}
