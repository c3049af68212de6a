package io.mlproof.pipelines.features;

import io.mlproof.pipelines.features.Slot.Reduce;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registry of aggregations by name (the {@code aggregation} of a spec's features) and their
 * implementations. Adding a feature kind is one entry in {@link #REGISTRY} plus, if no existing
 * record fits, one small record here.
 */
public final class Aggregations {
  /** Cents per currency unit; dividing (not multiplying by 0.01) keeps 1999 cents exactly 19.99. */
  private static final double CENTS = 100;

  private static final Map<String, Aggregation> REGISTRY = registry();

  private Aggregations() {}

  private static Map<String, Aggregation> registry() {
    Map<String, Aggregation> r = new TreeMap<>();
    r.put("sum_sessions", new WindowSum(Measure.SESSIONS, 1));
    r.put("sum_page_views", new WindowSum(Measure.PAGE_VIEWS, 1));
    r.put("sum_add_to_carts", new WindowSum(Measure.ADD_TO_CARTS, 1));
    r.put("sum_purchases", new WindowSum(Measure.PURCHASES, 1));
    r.put("sum_revenue", new WindowSum(Measure.REVENUE_CENTS, CENTS));
    r.put("sum_failed_payments", new WindowSum(Measure.FAILED_PAYMENTS, 1));
    r.put("sum_refunds", new WindowSum(Measure.REFUNDS, 1));
    r.put("active_days", new ActiveDays());
    r.put("days_since_last_event", new DaysSinceLast(Measure.EVENTS));
    r.put("days_since_last_session", new DaysSinceLast(Measure.SESSIONS));
    r.put("days_since_last_purchase", new DaysSinceLast(Measure.PURCHASES));
    r.put("tenure_days", new TenureDays());
    r.put("avg_order_value", new AverageOrderValue());
    r.put("cart_abandonment_rate", new CartAbandonmentRate());
    r.put("trend_sessions", new TrendRatio(Measure.SESSIONS));
    r.put("trend_purchases", new TrendRatio(Measure.PURCHASES));
    r.put("trend_revenue", new TrendRatio(Measure.REVENUE_CENTS));
    return Map.copyOf(r);
  }

  /** The aggregation registered as {@code name}, or null. */
  public static Aggregation get(String name) {
    return REGISTRY.get(name);
  }

  /** Every registered name, sorted (for error messages). */
  public static List<String> names() {
    return REGISTRY.keySet().stream().sorted().toList();
  }

  /**
   * Sum of a measure over the window, divided by {@code unit} (100 turns cents into currency
   * units).
   */
  public record WindowSum(Measure measure, double unit) implements Aggregation {
    @Override
    public List<Slot> slots(int windowDays) {
      return List.of(Slot.last(windowDays, measure, Reduce.SUM));
    }

    @Override
    public double value(long[] v, int cutoffDay, long signupDay) {
      return v[0] / unit;
    }
  }

  /** Days with at least one analytics event in the window. */
  public record ActiveDays() implements Aggregation {
    @Override
    public List<Slot> slots(int windowDays) {
      return List.of(Slot.last(windowDays, Measure.EVENTS, Reduce.DAYS_WITH_ANY));
    }

    @Override
    public double value(long[] v, int cutoffDay, long signupDay) {
      return v[0];
    }
  }

  /**
   * Days from the last day with the measure to the cutoff (1 = the day before). Missing, not
   * capped, when the window has none: "never in 90 days" is not "90 days ago".
   */
  public record DaysSinceLast(Measure measure) implements Aggregation {
    @Override
    public List<Slot> slots(int windowDays) {
      return List.of(Slot.last(windowDays, measure, Reduce.MIN_DAYS_AGO));
    }

    @Override
    public double value(long[] v, int cutoffDay, long signupDay) {
      return v[0] == 0 ? Double.NaN : v[0];
    }
  }

  /** Days from the signup day to the cutoff; not windowed. */
  public record TenureDays() implements Aggregation {
    @Override
    public boolean windowed() {
      return false;
    }

    @Override
    public List<Slot> slots(int windowDays) {
      return List.of();
    }

    @Override
    public double value(long[] v, int cutoffDay, long signupDay) {
      return cutoffDay - signupDay;
    }
  }

  /** Revenue per purchase (currency units); missing without purchases. */
  public record AverageOrderValue() implements Aggregation {
    @Override
    public List<Slot> slots(int windowDays) {
      return List.of(
          Slot.last(windowDays, Measure.REVENUE_CENTS, Reduce.SUM),
          Slot.last(windowDays, Measure.PURCHASES, Reduce.SUM));
    }

    @Override
    public double value(long[] v, int cutoffDay, long signupDay) {
      return v[1] == 0 ? Double.NaN : v[0] / CENTS / v[1];
    }
  }

  /**
   * max(add_to_carts - purchases, 0) / add_to_carts over the window; missing without add-to-carts.
   */
  public record CartAbandonmentRate() implements Aggregation {
    @Override
    public List<Slot> slots(int windowDays) {
      return List.of(
          Slot.last(windowDays, Measure.ADD_TO_CARTS, Reduce.SUM),
          Slot.last(windowDays, Measure.PURCHASES, Reduce.SUM));
    }

    @Override
    public double value(long[] v, int cutoffDay, long signupDay) {
      return v[0] == 0 ? Double.NaN : Math.max(v[0] - v[1], 0) / (double) v[0];
    }
  }

  /**
   * The measure over the last {@code w} days divided by the {@code w} days before those; missing
   * when the earlier window had none (the ratio is undefined, not infinite).
   */
  public record TrendRatio(Measure measure) implements Aggregation {
    @Override
    public List<Slot> slots(int windowDays) {
      return List.of(
          Slot.last(windowDays, measure, Reduce.SUM),
          new Slot(measure, Reduce.SUM, 2 * windowDays, windowDays));
    }

    @Override
    public double value(long[] v, int cutoffDay, long signupDay) {
      return v[1] == 0 ? Double.NaN : v[0] / (double) v[1];
    }
  }
}
