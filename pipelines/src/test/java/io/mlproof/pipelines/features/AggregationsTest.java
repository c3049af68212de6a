package io.mlproof.pipelines.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.pipelines.features.Slot.Reduce;
import org.junit.jupiter.api.Test;

/** The value rules of each registered aggregation, including when a value is missing (NaN). */
class AggregationsTest {
  private static final int T = 19_814;
  private static final long SIGNUP = 19_700;

  private static double value(String name, long... slots) {
    return Aggregations.get(name).value(slots, T, SIGNUP);
  }

  @Test
  void sumsScaleCentsToCurrency() {
    assertThat(value("sum_sessions", 7)).isEqualTo(7.0);
    assertThat(value("sum_revenue", 1999)).isEqualTo(19.99);
    assertThat(Aggregations.get("sum_revenue").slots(30))
        .containsExactly(new Slot(Measure.REVENUE_CENTS, Reduce.SUM, 30, 0));
  }

  @Test
  void recencyIsMissingWithoutActivityRatherThanCapped() {
    assertThat(value("days_since_last_purchase", 3)).isEqualTo(3.0);
    assertThat(value("days_since_last_purchase", 0)).isNaN();
  }

  @Test
  void tenureCountsDaysFromSignupToCutoff() {
    assertThat(value("tenure_days")).isEqualTo(114.0);
    assertThat(Aggregations.get("tenure_days").windowed()).isFalse();
  }

  @Test
  void ratiosAreMissingWhenTheirDenominatorIsZero() {
    assertThat(value("avg_order_value", 5000, 4)).isEqualTo(12.5);
    assertThat(value("avg_order_value", 0, 0)).isNaN();
    assertThat(value("cart_abandonment_rate", 4, 1)).isEqualTo(0.75);
    assertThat(value("cart_abandonment_rate", 2, 5)).isEqualTo(0.0);
    assertThat(value("cart_abandonment_rate", 0, 5)).isNaN();
    assertThat(value("trend_sessions", 6, 4)).isEqualTo(1.5);
    assertThat(value("trend_sessions", 6, 0)).isNaN();
    assertThat(Aggregations.get("trend_sessions").slots(30))
        .containsExactly(
            new Slot(Measure.SESSIONS, Reduce.SUM, 30, 0),
            new Slot(Measure.SESSIONS, Reduce.SUM, 60, 30));
  }

  @Test
  void everySpecAggregationIsRegistered() {
    Histories.CHURN
        .getFeaturesList()
        .forEach(
            f ->
                assertThat(Aggregations.get(f.getAggregation()))
                    .as(f.getAggregation())
                    .isNotNull());
  }
}
