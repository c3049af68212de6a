package io.mlproof.pipelines.features;

import io.mlproof.proto.v1.EntityDay;

/** A per-day quantity of an {@link EntityDay} that aggregations read. */
public enum Measure {
  SESSIONS,
  PAGE_VIEWS,
  ADD_TO_CARTS,
  PURCHASES,
  REVENUE_CENTS,
  FAILED_PAYMENTS,
  REFUNDS,
  /** Sessions + page views + add-to-carts + purchases: any analytics event (not payments). */
  EVENTS,
  /** Purchases at exactly 00:00:00 UTC, the instant the day starts (for label windows). */
  PURCHASES_AT_MIDNIGHT,
  /** Sessions at exactly 00:00:00 UTC. */
  SESSIONS_AT_MIDNIGHT;

  static final int COUNT = values().length;

  /** The day's measures, indexed by {@link #ordinal()}. */
  static long[] of(EntityDay day) {
    long[] m = new long[COUNT];
    m[SESSIONS.ordinal()] = day.getSessions();
    m[PAGE_VIEWS.ordinal()] = day.getPageViews();
    m[ADD_TO_CARTS.ordinal()] = day.getAddToCarts();
    m[PURCHASES.ordinal()] = day.getPurchases();
    m[REVENUE_CENTS.ordinal()] = day.getRevenueCents();
    m[FAILED_PAYMENTS.ordinal()] = day.getFailedPayments();
    m[REFUNDS.ordinal()] = day.getRefunds();
    m[EVENTS.ordinal()] =
        day.getSessions() + day.getPageViews() + day.getAddToCarts() + day.getPurchases();
    m[PURCHASES_AT_MIDNIGHT.ordinal()] = day.getPurchasesAtMidnight();
    m[SESSIONS_AT_MIDNIGHT.ordinal()] = day.getSessionsAtMidnight();
    return m;
  }
}
