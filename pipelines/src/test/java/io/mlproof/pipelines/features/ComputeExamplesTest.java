package io.mlproof.pipelines.features;

import static io.mlproof.pipelines.features.Histories.byKey;
import static io.mlproof.pipelines.features.Histories.compute;
import static io.mlproof.pipelines.features.Histories.d;
import static io.mlproof.pipelines.features.Histories.features;
import static io.mlproof.pipelines.features.Histories.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

import io.mlproof.proto.v1.DeadLetter;
import io.mlproof.proto.v1.EntityDay;
import io.mlproof.proto.v1.Example;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;

/**
 * ComputeExamples on small hand-made histories; every expected value is worked out by hand in the
 * comments (cutoff T = 2024-04-01 unless said otherwise; 2024 is a leap year).
 */
class ComputeExamplesTest {
  final transient TestPipeline p = Histories.pipeline();
  private static final String T = "2024-04-01";
  private static final double EPS = 1e-12;

  /**
   * User a: one history that exercises every aggregation of churn_v1; user b: the missing cases.
   */
  @Test
  void everyAggregationOnAHandMadeHistory() {
    String aSignup = "2024-01-01"; // T - 91 days
    List<EntityDay> rows =
        List.of(
            row("a", "2024-03-31", aSignup)
                .setSessions(2)
                .setPageViews(5)
                .setAddToCarts(1)
                .setPurchases(1)
                .setRevenueCents(2500)
                .build(), // T-1
            row("a", "2024-03-25", aSignup)
                .setSessions(1)
                .setPageViews(3)
                .build(), // T-7: first day of 7d
            row("a", "2024-03-24", aSignup)
                .setSessions(4)
                .setAddToCarts(2)
                .setFailedPayments(1)
                .build(), // T-8
            row("a", "2024-03-02", aSignup)
                .setSessions(1)
                .setPurchases(1)
                .setRevenueCents(1000)
                .setRefunds(1)
                .build(), // T-30: first day of 30d
            row("a", "2024-03-01", aSignup)
                .setSessions(3)
                .setPurchases(2)
                .setRevenueCents(4000)
                .build(), // T-31
            row("a", "2024-01-03", aSignup).setSessions(1).build(), // T-89
            row("a", "2024-01-02", aSignup).setPageViews(1).build(), // T-90: first day of 90d
            row("a", "2024-01-01", aSignup)
                .setSessions(5)
                .setPurchases(9)
                .build(), // T-91: outside every window
            row("a", "2024-04-01", aSignup)
                .setSessions(10)
                .setPurchases(3)
                .build(), // T: label window only
            row("a", "2024-04-15", aSignup).setPurchases(1).build(),
            row("b", "2024-03-25", "2024-03-20").setPageViews(2).build(), // T-7
            row("b", "2024-05-15", "2024-03-20").setSessions(1).build()); // data now covers T+30
    PCollectionTuple out =
        compute(p, rows, Histories.plan(LabelDefinition.NO_PURCHASE, 30), List.of(T), true);
    PAssert.that(out.get(ComputeExamples.EXAMPLES))
        .satisfies(
            examples -> {
              Map<String, Example> byKey = byKey(examples);
              assertThat(byKey).containsOnlyKeys("a@" + T, "b@" + T);
              Example a = byKey.get("a@" + T);
              assertThat(a.getFeatureSpecHash())
                  .isEqualTo(
                      FeatureSpecs.hash(
                          FeatureSpecs.withLabel(
                              Histories.CHURN, LabelDefinition.NO_PURCHASE, 30)));
              assertThat(a.getHasLabel()).isTrue();
              assertThat(a.getLabel()).as("a buys on T and T+14: not churned").isFalse();
              Map<String, Double> fa = features(a);
              assertThat(fa)
                  .contains(
                      entry("days_since_last_session", 1.0),
                      entry("days_since_last_purchase", 1.0),
                      entry("sessions_7d", 3.0), // 2 (T-1) + 1 (T-7)
                      entry("sessions_30d", 8.0), // + 4 (T-8) + 1 (T-30)
                      entry("sessions_90d", 12.0), // + 3 (T-31) + 1 (T-89); T-91 is outside
                      entry("active_days_7d", 2.0), // T-1, T-7
                      entry("active_days_30d", 4.0), // T-1, T-7, T-8, T-30
                      entry("active_days_90d", 7.0), // + T-31, T-89, T-90
                      entry("page_views_30d", 8.0), // 5 + 3
                      entry("purchases_7d", 1.0),
                      entry("purchases_30d", 2.0), // T-1, T-30
                      entry("purchases_90d", 4.0), // + 2 on T-31
                      entry("revenue_7d", 25.0),
                      entry("revenue_30d", 35.0),
                      entry("revenue_90d", 75.0),
                      entry("avg_order_value_30d", 17.5), // 35 / 2
                      entry("avg_order_value_90d", 18.75), // 75 / 4
                      entry("tenure_days", 91.0),
                      entry(
                          "cart_abandonment_rate_90d",
                          0.0), // 3 carts, 4 purchases: max(3 - 4, 0) / 3
                      entry("failed_payments_30d", 1.0),
                      entry("failed_payments_90d", 1.0),
                      entry("refunds_30d", 1.0),
                      entry("refunds_90d", 1.0),
                      entry("purchases_trend_30d", 1.0), // 2 in [T-30, T) / 2 in [T-60, T-30)
                      entry("revenue_trend_30d", 0.875)); // 3500 / 4000
              assertThat(fa.get("cart_abandonment_rate_30d"))
                  .isCloseTo(1.0 / 3, within(EPS)); // (3 - 2) / 3
              assertThat(fa.get("sessions_trend_30d"))
                  .isCloseTo(8.0 / 3, within(EPS)); // 8 / 3 (T-31)

              Example b = byKey.get("b@" + T);
              assertThat(b.getLabel()).as("b has no purchase in [T, T+30)").isTrue();
              Map<String, Double> fb = features(b);
              assertThat(fb)
                  .contains(
                      entry("sessions_90d", 0.0),
                      entry("active_days_7d", 1.0),
                      entry("active_days_90d", 1.0),
                      entry("page_views_30d", 2.0),
                      entry("revenue_90d", 0.0),
                      entry("tenure_days", 12.0));
              for (String missing :
                  List.of(
                      "days_since_last_session",
                      "days_since_last_purchase",
                      "avg_order_value_30d",
                      "avg_order_value_90d",
                      "cart_abandonment_rate_30d",
                      "sessions_trend_30d",
                      "purchases_trend_30d",
                      "revenue_trend_30d")) {
                assertThat(fb.get(missing)).as(missing).isNaN();
              }
              return null;
            });
    Map<String, Long> counters = Histories.runAndCount(p);
    assertThat(counters)
        .containsEntry("examples", 2L)
        .containsEntry("examples_positive", 1L)
        .containsEntry("entity_days_read", 12L);
  }

  /**
   * The label window is the instants (T, T + horizon]: day T after midnight and the days up to T +
   * 29 are in it, as is the instant T + 30 days 00:00; the instant T itself and the rest of day T +
   * 30 are not.
   */
  @Test
  void labelWindowIsFromJustAfterTheCutoffToTheEndOfTheHorizon() {
    String s = "2023-12-01";
    List<EntityDay> rows =
        List.of(
            row("buysOnT", "2024-03-20", s).setSessions(1).build(),
            row("buysOnT", "2024-04-01", s).setPurchases(1).build(),
            row("buysAtT", "2024-03-20", s).setSessions(1).build(),
            row("buysAtT", "2024-04-01", s)
                .setPurchases(1)
                .setPurchasesAtMidnight(1)
                .build(), // T 00:00
            row("buysOnLastDay", "2024-03-20", s).setSessions(1).build(),
            row("buysOnLastDay", "2024-04-30", s).setPurchases(1).build(), // T + 29
            row("buysAtEnd", "2024-03-20", s).setSessions(1).build(),
            row("buysAtEnd", "2024-05-01", s)
                .setPurchases(2)
                .setPurchasesAtMidnight(1)
                .build(), // one at T + 30 00:00
            row("buysDayAfter", "2024-03-20", s).setSessions(1).build(),
            row("buysDayAfter", "2024-05-01", s)
                .setPurchases(1)
                .build(), // T + 30, after 00:00: outside
            row("buysBefore", "2024-03-31", s)
                .setSessions(1)
                .setPurchases(1)
                .build()); // T - 1: a feature
    PCollectionTuple out =
        compute(p, rows, Histories.plan(LabelDefinition.NO_PURCHASE, 30), List.of(T), true);
    PAssert.that(out.get(ComputeExamples.EXAMPLES))
        .satisfies(
            examples -> {
              Map<String, Example> byKey = byKey(examples);
              assertThat(byKey.get("buysOnT@" + T).getLabel()).isFalse();
              assertThat(byKey.get("buysAtT@" + T).getLabel())
                  .as("bought at exactly T only")
                  .isTrue();
              assertThat(byKey.get("buysOnLastDay@" + T).getLabel()).isFalse();
              assertThat(byKey.get("buysAtEnd@" + T).getLabel())
                  .as("bought at exactly T + 30 days")
                  .isFalse();
              assertThat(byKey.get("buysDayAfter@" + T).getLabel()).isTrue();
              assertThat(byKey.get("buysBefore@" + T).getLabel()).isTrue();
              assertThat(features(byKey.get("buysBefore@" + T))).containsEntry("purchases_7d", 1.0);
              assertThat(features(byKey.get("buysOnT@" + T))).containsEntry("purchases_90d", 0.0);
              byKey.values().forEach(e -> assertThat(e.getHasLabel()).isTrue());
              return null;
            });
    Histories.runAndCount(p);
  }

  @Test
  void noSessionLabelLooksAtSessionsAndAShorterHorizon() {
    String s = "2023-12-01";
    List<EntityDay> rows =
        List.of(
            row("visits", "2024-03-20", s).setSessions(1).build(),
            row("visits", "2024-04-07", s).setSessions(1).build(), // T + 6: inside a 7-day horizon
            row("onlyBuys", "2024-03-20", s).setSessions(1).build(),
            row("onlyBuys", "2024-04-02", s).setPurchases(1).build(),
            row("late", "2024-03-20", s).setSessions(1).build(),
            row("late", "2024-04-08", s).setSessions(1).build()); // T + 7: outside
    PCollectionTuple out =
        compute(p, rows, Histories.plan(LabelDefinition.NO_SESSION, 7), List.of(T), true);
    PAssert.that(out.get(ComputeExamples.EXAMPLES))
        .satisfies(
            examples -> {
              Map<String, Example> byKey = byKey(examples);
              assertThat(byKey.get("visits@" + T).getLabel()).isFalse();
              assertThat(byKey.get("onlyBuys@" + T).getLabel()).isTrue();
              assertThat(byKey.get("late@" + T).getLabel()).isTrue();
              return null;
            });
    Histories.runAndCount(p);
  }

  /**
   * Training drops cutoffs whose label window is not over in the data; scoring keeps them
   * unlabelled.
   */
  @Test
  void openLabelWindowsAreDroppedForTrainingAndUnlabelledForScoring() {
    String s = "2023-12-01";
    List<EntityDay> rows =
        List.of(
            row("u", "2024-03-20", s).setSessions(1).build(),
            // The last day in the data is T + 29: the window's last instant, T + 30 days 00:00, is
            // not in it.
            row("u", "2024-04-30", s).setSessions(1).build());
    FeaturePlan plan = Histories.plan(LabelDefinition.NO_PURCHASE, 30);
    PAssert.that(compute(p, "Training", rows, plan, List.of(T), true).get(ComputeExamples.EXAMPLES))
        .empty();
    PAssert.that(
            compute(p, "Scoring", rows, plan, List.of(T), false)
                .get(ComputeExamples.EXAMPLES)
                .apply(
                    "Flags",
                    org.apache.beam.sdk.transforms.MapElements.into(
                            org.apache.beam.sdk.values.TypeDescriptors.strings())
                        .via(
                            (Example e) ->
                                e.getEntityId()
                                    + " has_label="
                                    + e.getHasLabel()
                                    + " label="
                                    + e.getLabel())))
        .containsInAnyOrder("u has_label=false label=false");
    Map<String, Long> counters = Histories.runAndCount(p);
    assertThat(counters)
        .containsEntry("examples_label_window_open", 1L)
        .containsEntry("examples_without_label", 1L);
  }

  /** Eligible at T: signed up before T and at least one event in [T - 90, T). */
  @Test
  void eligibilityExcludesLateSignupsAndInactiveEntities() {
    String s = "2023-01-01";
    List<EntityDay> rows =
        List.of(
            row("signsUpOnT", "2024-03-30", "2024-04-01")
                .setSessions(1)
                .build(), // activity before signup: excluded
            row("signsUpLater", "2024-04-12", "2024-04-10").setSessions(1).build(),
            row("dormant", "2024-01-01", s).setSessions(1).build(), // T - 91: outside the lookback
            row("dormant", "2024-04-05", s).setSessions(1).build(),
            row("paysOnly", "2024-03-15", s)
                .setFailedPayments(1)
                .build(), // payments are not events
            row("edge", "2024-01-02", s).setPageViews(1).build(), // T - 90: eligible
            row("newcomer", "2024-03-31", "2024-03-31")
                .setSessions(1)
                .build(), // signed up the day before T
            row("newcomer", "2024-05-20", "2024-03-31").setSessions(1).build());
    PCollectionTuple out =
        compute(p, rows, Histories.plan(LabelDefinition.NO_PURCHASE, 30), List.of(T), true);
    PAssert.that(out.get(ComputeExamples.EXAMPLES))
        .satisfies(
            examples -> {
              Map<String, Example> byKey = byKey(examples);
              assertThat(byKey).containsOnlyKeys("edge@" + T, "newcomer@" + T);
              assertThat(features(byKey.get("edge@" + T)))
                  .containsEntry("active_days_90d", 1.0)
                  .containsEntry("active_days_30d", 0.0);
              assertThat(features(byKey.get("newcomer@" + T))).containsEntry("tenure_days", 1.0);
              return null;
            });
    Map<String, Long> counters = Histories.runAndCount(p);
    assertThat(counters)
        .containsEntry("entities_signed_up_after_cutoff", 2L)
        .containsEntry("entities_inactive_in_lookback", 2L)
        .containsEntry("entity_days_outside_windows", 2L) // dormant's T - 91, newcomer's T + 49
        .containsEntry("examples", 2L);
  }

  /** Two cutoffs stack two examples per entity, each with its own windows. */
  @Test
  void severalCutoffsStackExamples() {
    String s = "2024-01-01";
    List<EntityDay> rows =
        List.of(
            row("u", "2024-02-20", s).setSessions(2).build(),
            row("u", "2024-03-20", s).setSessions(3).setPurchases(1).setRevenueCents(900).build(),
            row("u", "2024-05-05", s).setSessions(1).build());
    PCollectionTuple out =
        compute(
            p,
            rows,
            Histories.plan(LabelDefinition.NO_PURCHASE, 30),
            List.of("2024-03-01", T),
            true);
    PAssert.that(out.get(ComputeExamples.EXAMPLES))
        .satisfies(
            examples -> {
              Map<String, Example> byKey = byKey(examples);
              assertThat(byKey).containsOnlyKeys("u@2024-03-01", "u@" + T);
              Example march = byKey.get("u@2024-03-01");
              assertThat(march.getCutoffDay()).isEqualTo(d("2024-03-01"));
              assertThat(march.getLabel())
                  .as("buys on 2024-03-20, inside [03-01, 03-31)")
                  .isFalse();
              assertThat(features(march))
                  .contains(
                      entry("sessions_30d", 2.0),
                      entry("days_since_last_session", 10.0),
                      entry("tenure_days", 60.0),
                      entry("purchases_90d", 0.0));
              Example april = byKey.get("u@" + T);
              assertThat(april.getLabel()).as("no purchase in [04-01, 05-01)").isTrue();
              assertThat(features(april))
                  .contains(
                      entry("sessions_30d", 3.0),
                      entry("sessions_90d", 5.0),
                      entry("days_since_last_session", 12.0),
                      entry("tenure_days", 91.0),
                      entry("revenue_30d", 9.0));
              return null;
            });
    Histories.runAndCount(p);
  }

  /**
   * The per-bundle pre-aggregation may flush an entity's partial window statistics any number of
   * times (here: whenever a second entity arrives) without changing an example: the partials merge
   * to the same values as one fold.
   */
  @Test
  void flushingPartialAccumulatorsChangesNoExample() {
    String s = "2024-01-01";
    List<EntityDay> rows =
        List.of( // u and v interleaved, so a one-entity bound flushes on every row
            row("u", "2024-02-20", s).setSessions(2).build(),
            row("v", "2024-03-30", s).setPageViews(4).setPurchases(1).setRevenueCents(700).build(),
            row("u", "2024-03-20", s).setSessions(3).setPurchases(1).setRevenueCents(900).build(),
            row("v", "2024-03-02", s).setSessions(1).build(),
            row("u", "2024-03-25", s).setSessions(1).build(),
            row("v", "2024-04-10", s).setPurchases(1).build(),
            row("u", "2024-05-05", s).setSessions(1).build());
    FeaturePlan plan = Histories.plan(LabelDefinition.NO_PURCHASE, 30);
    List<Integer> cutoffs = List.of(d(T));
    // One element holding every row, flattened in one step: one bundle, rows in this order.
    org.apache.beam.sdk.values.PCollection<EntityDay> input =
        p.apply(Create.of(List.of(rows)).withCoder(ListCoder.of(ProtoCoder.of(EntityDay.class))))
            .apply(Flatten.iterables());
    for (ComputeExamples<EntityDay> compute :
        List.of(
            ComputeExamples.of(plan, cutoffs, true),
            ComputeExamples.of(plan, cutoffs, true).withMaxEntitiesPerBundle(1))) {
      String name = "Bound" + compute.maxEntitiesPerBundle();
      PAssert.that(name, input.apply(name, compute).get(ComputeExamples.EXAMPLES))
          .satisfies(
              examples -> {
                Map<String, Example> byKey = byKey(examples);
                assertThat(byKey).containsOnlyKeys("u@" + T, "v@" + T);
                assertThat(byKey.get("u@" + T).getLabel())
                    .as("u: no purchase in [04-01, 05-01)")
                    .isTrue();
                assertThat(features(byKey.get("u@" + T)))
                    .contains(
                        entry("sessions_30d", 4.0), // 3 (T-12) + 1 (T-7)
                        entry("sessions_90d", 6.0),
                        entry("days_since_last_session", 7.0),
                        entry("revenue_30d", 9.0),
                        entry("active_days_90d", 3.0));
                assertThat(byKey.get("v@" + T).getLabel()).as("v buys on 04-10").isFalse();
                assertThat(features(byKey.get("v@" + T)))
                    .contains(
                        entry("sessions_30d", 1.0), // T-30
                        entry("page_views_30d", 4.0),
                        entry("days_since_last_purchase", 2.0),
                        entry("revenue_7d", 7.0),
                        entry("active_days_30d", 2.0));
                return null;
              });
    }
    org.apache.beam.sdk.PipelineResult result = p.run();
    result.waitUntilFinish();
    // 6 rows feed a window (05-05 lies past T's label window). Folded in one bundle they make one
    // partial per entity; with the bound, every switch of entity flushes one.
    assertThat(partials(result, "Bound0")).isEqualTo(2);
    assertThat(partials(result, "Bound1")).isEqualTo(6);
  }

  private static long partials(org.apache.beam.sdk.PipelineResult result, String step) {
    long sum = 0;
    for (var counter :
        result
            .metrics()
            .queryMetrics(
                org.apache.beam.sdk.metrics.MetricsFilter.builder()
                    .addNameFilter(
                        org.apache.beam.sdk.metrics.MetricNameFilter.named(
                            FeaturesPipeline.METRICS, "partial_accumulators"))
                    .addStep(step)
                    .build())
            .getCounters()) {
      sum += counter.getCommitted();
    }
    return sum;
  }

  /** Bad rows become dead letters with their reason; the good rows still make examples. */
  @Test
  void badRowsAreDeadLetteredNotFatal() {
    String s = "2024-01-01";
    List<EntityDay> rows =
        List.of(
            row("", "2024-03-20", s).setSessions(1).build(),
            row("neg", "2024-03-20", s).setSessions(-2).build(),
            row("old", "2024-03-20", s).setDay(-5).setSessions(1).build(),
            row("odd", "2024-03-20", s).setPurchases(1).setPurchasesAtMidnight(2).build(),
            row("ok", "2024-03-20", s).setSessions(1).build(),
            row("ok", "2024-05-20", s).setSessions(1).build());
    PCollectionTuple out =
        compute(p, rows, Histories.plan(LabelDefinition.NO_PURCHASE, 30), List.of(T), true);
    PAssert.that(
            out.get(ComputeExamples.EXAMPLES)
                .apply(
                    "Ids",
                    org.apache.beam.sdk.transforms.MapElements.into(
                            org.apache.beam.sdk.values.TypeDescriptors.strings())
                        .via(Example::getEntityId)))
        .containsInAnyOrder("ok");
    PAssert.that(out.get(ComputeExamples.DEAD_LETTERS))
        .satisfies(
            letters -> {
              Map<String, DeadLetter> byCode = new java.util.HashMap<>();
              letters.forEach(l -> byCode.put(l.getReasonCode().name(), l));
              assertThat(byCode)
                  .containsOnlyKeys(
                      "NULL_ID", "NEGATIVE_COUNT", "INVALID_DAY", "INCONSISTENT_COUNT");
              assertThat(byCode.get("INCONSISTENT_COUNT").getReason())
                  .isEqualTo(
                      "purchases_at_midnight 2 or"
                          + " sessions_at_midnight 0 exceeds the day's purchases 1 or sessions 0");
              assertThat(byCode.get("NEGATIVE_COUNT").getReason())
                  .isEqualTo("sessions is negative (-2)");
              assertThat(byCode.get("NEGATIVE_COUNT").getOriginalMap())
                  .containsEntry("entity_id", "neg")
                  .containsEntry("sessions", "-2")
                  .containsEntry("day", Integer.toString(d("2024-03-20")));
              assertThat(byCode.get("INVALID_DAY").getSource()).isEqualTo("features/entity_days");
              return null;
            });
    Map<String, Long> counters = Histories.runAndCount(p);
    assertThat(counters)
        .containsEntry("entity_days_read", 6L)
        .containsEntry("entity_days_dead_letter", 4L)
        .containsEntry("dead_letter_NULL_ID", 1L)
        .containsEntry("dead_letter_NEGATIVE_COUNT", 1L)
        .containsEntry("dead_letter_INVALID_DAY", 1L)
        .containsEntry("dead_letter_INCONSISTENT_COUNT", 1L);
  }
}
