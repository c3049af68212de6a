package io.mlproof.pipelines.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mlproof.proto.v1.Uncertainty;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PairedBootstrapTest {
  private static final double EPS = 1e-12;

  /**
   * n rows: a model that sees the label through noise of sd 1, a heuristic through noise of sd 2.
   */
  private record Rows(boolean[] labels, double[] model, double[] heuristic) {
    static Rows of(int n, long seed) {
      Random random = new Random(seed);
      boolean[] labels = new boolean[n];
      double[] model = new double[n];
      double[] heuristic = new double[n];
      for (int i = 0; i < n; i++) {
        labels[i] = random.nextDouble() < 0.3;
        double signal = labels[i] ? 1 : 0;
        model[i] = signal + random.nextGaussian();
        heuristic[i] = Math.round(signal + 2 * random.nextGaussian()); // integer scores: many ties
      }
      return new Rows(labels, model, heuristic);
    }

    boolean[] above(double[] scores, double threshold) {
      boolean[] out = new boolean[scores.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = scores[i] >= threshold;
      }
      return out;
    }

    Uncertainty lead(PairedBootstrap bootstrap) {
      return bootstrap.lead(
          labels,
          new PairedBootstrap.Contender("model", above(model, 0.5), model),
          List.of(
              new PairedBootstrap.Contender("status_quo", new boolean[labels.length], null),
              new PairedBootstrap.Contender("random", null, null),
              new PairedBootstrap.Contender("heuristic", above(heuristic, 1), heuristic)));
    }
  }

  @Test
  void pointEstimatesAreTheLeadsOnAllTestRows() {
    Rows rows = Rows.of(500, 1);
    Uncertainty u = rows.lead(new PairedBootstrap(1000, 7));
    double modelF1 = Confusion.of(rows.above(rows.model, 0.5), rows.labels).f1();
    double heuristicF1 = Confusion.of(rows.above(rows.heuristic, 1), rows.labels).f1();
    assertThat(u.getOperatingPoint().getEstimate()).isCloseTo(modelF1 - heuristicF1, within(EPS));
    assertThat(u.getOperatingPoint().getBaseline()).isEqualTo("heuristic");
    double modelAuc = new Metrics.Ranked(rows.model, rows.labels).rocAuc();
    double heuristicAuc = new Metrics.Ranked(rows.heuristic, rows.labels).rocAuc();
    assertThat(u.getRocAuc().getEstimate()).isCloseTo(modelAuc - heuristicAuc, within(EPS));
    assertThat(u.getResamples()).isEqualTo(1000);
    assertThat(u.getSeed()).isEqualTo(7);
  }

  /**
   * The interval computed the slow, obvious way: each resample materialised as arrays and measured
   * with {@link Metrics} and {@link Confusion}, drawing the same rows from the same seeded
   * generator. The bootstrap's weighted counts must give exactly these leads.
   */
  @Test
  void intervalEqualsTheOneFromMaterialisedResamples() {
    Rows rows = Rows.of(300, 2);
    int n = rows.labels.length;
    int resamples = 1000;
    SplittableRandom random = new SplittableRandom(11);
    double[] f1Leads = new double[resamples];
    double[] aucLeads = new double[resamples];
    int kept = 0;
    for (int b = 0; b < resamples; b++) {
      boolean[] labels = new boolean[n];
      double[] model = new double[n];
      double[] heuristic = new double[n];
      for (int i = 0; i < n; i++) {
        int r = random.nextInt(n);
        labels[i] = rows.labels[r];
        model[i] = rows.model[r];
        heuristic[i] = rows.heuristic[r];
      }
      double p = Metrics.positiveRate(labels);
      if (p == 0 || p == 1) {
        continue;
      }
      boolean[] modelTargeted = rows.above(model, 0.5);
      double share = Metrics.positiveRate(modelTargeted);
      double random2pf = share == 0 ? 0 : 2 * p * share / (p + share);
      double bestF1 =
          Math.max(0, Math.max(random2pf, Confusion.of(rows.above(heuristic, 1), labels).f1()));
      f1Leads[kept] = Confusion.of(modelTargeted, labels).f1() - bestF1;
      aucLeads[kept] =
          new Metrics.Ranked(model, labels).rocAuc()
              - Math.max(0.5, new Metrics.Ranked(heuristic, labels).rocAuc());
      kept++;
    }
    double[] f1 = Arrays.copyOf(f1Leads, kept);
    double[] auc = Arrays.copyOf(aucLeads, kept);
    Arrays.sort(f1);
    Arrays.sort(auc);
    Uncertainty u = rows.lead(new PairedBootstrap(resamples, 11));
    assertThat(u.getDegenerateResamples()).isEqualTo(resamples - kept);
    assertThat(u.getOperatingPoint().getCi95Low())
        .isCloseTo(PairedBootstrap.quantile(f1, 0.025), within(EPS));
    assertThat(u.getOperatingPoint().getCi95High())
        .isCloseTo(PairedBootstrap.quantile(f1, 0.975), within(EPS));
    assertThat(u.getRocAuc().getCi95Low())
        .isCloseTo(PairedBootstrap.quantile(auc, 0.025), within(EPS));
    assertThat(u.getRocAuc().getCi95High())
        .isCloseTo(PairedBootstrap.quantile(auc, 0.975), within(EPS));
  }

  @Test
  void quantilesInterpolateLikeNumpy() {
    // numpy.quantile([1, 2, 3, 4], 0.25) = 1.75; 0.975 of 0..100 = 97.5.
    assertThat(PairedBootstrap.quantile(new double[] {1, 2, 3, 4}, 0.25))
        .isCloseTo(1.75, within(EPS));
    double[] hundred = new double[101];
    Arrays.setAll(hundred, i -> i);
    assertThat(PairedBootstrap.quantile(hundred, 0.975)).isCloseTo(97.5, within(EPS));
  }

  @Test
  void aModelIdenticalToItsBaselineLeadsByExactlyZero() {
    Rows rows = Rows.of(200, 3);
    boolean[] targeted = rows.above(rows.model, 0.5);
    Uncertainty u =
        new PairedBootstrap(1000, 1)
            .lead(
                rows.labels,
                new PairedBootstrap.Contender("model", targeted, rows.model),
                List.of(
                    new PairedBootstrap.Contender("copy", targeted.clone(), rows.model.clone())));
    assertThat(
            List.of(
                u.getOperatingPoint().getCi95Low(),
                u.getOperatingPoint().getEstimate(),
                u.getOperatingPoint().getCi95High(),
                u.getRocAuc().getCi95Low(),
                u.getRocAuc().getCi95High()))
        .containsOnly(0.0);
  }

  @Test
  void theResultIsTheSameOnOneThreadAsOnSeveral() {
    // 1,003 resamples: the last batch of draws is a partial one.
    Rows rows = Rows.of(500, 9);
    Uncertainty one = rows.lead(new PairedBootstrap(1003, 3, 1));
    assertThat(rows.lead(new PairedBootstrap(1003, 3, 3))).isEqualTo(one);
    assertThat(rows.lead(new PairedBootstrap(1003, 3, 2))).isEqualTo(one);
  }

  @Test
  void seededAndNarrowingWithMoreRows() {
    Rows small = Rows.of(400, 4);
    Uncertainty a = small.lead(new PairedBootstrap(1000, 5));
    assertThat(small.lead(new PairedBootstrap(1000, 5))).isEqualTo(a);
    assertThat(small.lead(new PairedBootstrap(1000, 6))).isNotEqualTo(a);
    // Four times the rows: the interval's width shrinks like 1 / sqrt(n), to about half.
    Rows large = Rows.of(1600, 4);
    Uncertainty b = large.lead(new PairedBootstrap(1000, 5));
    double ratio =
        (b.getRocAuc().getCi95High() - b.getRocAuc().getCi95Low())
            / (a.getRocAuc().getCi95High() - a.getRocAuc().getCi95Low());
    assertThat(ratio).isBetween(0.35, 0.65);
  }
}
