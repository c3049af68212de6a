-- churn_v1 computed directly from the raw events and payments tables, independently of the
-- pipeline and of the daily rollup: windows are timestamp ranges [T - N days, T), the label window
-- is (T, T + {{horizon}} days]. Cutoffs: {{cutoffs}} (a list of DATE literals).
WITH c AS (
  SELECT cutoff, CAST(cutoff AS TIMESTAMP) AS t FROM (SELECT unnest([{{cutoffs}}]) AS cutoff)
), ev AS (
  SELECT c.cutoff, c.t, e.user_id, e.event_type, e.event_at, e.amount,
         date_diff('day', CAST(e.event_at AS DATE), c.cutoff) AS days_ago
  FROM events e JOIN c ON e.event_at >= c.t - INTERVAL 90 DAY AND e.event_at <= c.t + INTERVAL {{horizon}} DAY
  WHERE e.user_id IS NOT NULL AND e.event_at IS NOT NULL
    AND e.event_type IN ('session_start', 'page_view', 'add_to_cart', 'purchase')
    AND NOT (e.event_type = 'purchase' AND e.amount IS NULL) AND coalesce(e.amount, 0) >= 0
), f AS (
  SELECT cutoff, user_id,
    min(days_ago) FILTER (WHERE event_type = 'session_start' AND event_at < t) AS days_since_last_session,
    min(days_ago) FILTER (WHERE event_type = 'purchase' AND event_at < t) AS days_since_last_purchase,
    count(*) FILTER (WHERE event_type = 'session_start' AND event_at >= t - INTERVAL 7 DAY AND event_at < t) AS sessions_7d,
    count(*) FILTER (WHERE event_type = 'session_start' AND event_at >= t - INTERVAL 30 DAY AND event_at < t) AS sessions_30d,
    count(*) FILTER (WHERE event_type = 'session_start' AND event_at < t) AS sessions_90d,
    count(DISTINCT CAST(event_at AS DATE)) FILTER (WHERE event_at >= t - INTERVAL 7 DAY AND event_at < t) AS active_days_7d,
    count(DISTINCT CAST(event_at AS DATE)) FILTER (WHERE event_at >= t - INTERVAL 30 DAY AND event_at < t) AS active_days_30d,
    count(DISTINCT CAST(event_at AS DATE)) FILTER (WHERE event_at < t) AS active_days_90d,
    count(*) FILTER (WHERE event_type = 'page_view' AND event_at >= t - INTERVAL 30 DAY AND event_at < t) AS page_views_30d,
    count(*) FILTER (WHERE event_type = 'purchase' AND event_at >= t - INTERVAL 7 DAY AND event_at < t) AS purchases_7d,
    count(*) FILTER (WHERE event_type = 'purchase' AND event_at >= t - INTERVAL 30 DAY AND event_at < t) AS purchases_30d,
    count(*) FILTER (WHERE event_type = 'purchase' AND event_at < t) AS purchases_90d,
    count(*) FILTER (WHERE event_type = 'add_to_cart' AND event_at >= t - INTERVAL 30 DAY AND event_at < t) AS carts_30d,
    count(*) FILTER (WHERE event_type = 'add_to_cart' AND event_at < t) AS carts_90d,
    count(*) FILTER (WHERE event_type = 'session_start' AND event_at >= t - INTERVAL 60 DAY AND event_at < t - INTERVAL 30 DAY) AS sessions_prev_30d,
    count(*) FILTER (WHERE event_type = 'purchase' AND event_at >= t - INTERVAL 60 DAY AND event_at < t - INTERVAL 30 DAY) AS purchases_prev_30d,
    count(*) FILTER (WHERE event_at < t) AS events_90d,
    count(*) FILTER (WHERE {{label_event}} AND event_at > t) AS label_events
  FROM ev GROUP BY cutoff, user_id
), p AS (
  SELECT c.cutoff, y.user_id,
    count(*) FILTER (WHERE status = 'failed' AND paid_at >= c.t - INTERVAL 30 DAY) AS failed_payments_30d,
    count(*) FILTER (WHERE status = 'failed') AS failed_payments_90d,
    count(*) FILTER (WHERE status = 'refunded' AND paid_at >= c.t - INTERVAL 30 DAY) AS refunds_30d,
    count(*) FILTER (WHERE status = 'refunded') AS refunds_90d,
    -- revenue is money received: succeeded payments, as the entity_days rollup sums it
    coalesce(sum(amount) FILTER (WHERE status = 'succeeded' AND paid_at >= c.t - INTERVAL 7 DAY), 0) AS revenue_7d,
    coalesce(sum(amount) FILTER (WHERE status = 'succeeded' AND paid_at >= c.t - INTERVAL 30 DAY), 0) AS revenue_30d,
    coalesce(sum(amount) FILTER (WHERE status = 'succeeded'), 0) AS revenue_90d,
    coalesce(sum(amount) FILTER (WHERE status = 'succeeded' AND paid_at >= c.t - INTERVAL 60 DAY AND paid_at < c.t - INTERVAL 30 DAY), 0) AS revenue_prev_30d
  FROM payments y JOIN c ON y.paid_at >= c.t - INTERVAL 90 DAY AND y.paid_at < c.t
  WHERE y.user_id IS NOT NULL AND y.amount IS NOT NULL AND y.amount >= 0
    AND y.status IN ('succeeded', 'failed', 'refunded')
  GROUP BY c.cutoff, y.user_id
)
SELECT f.user_id, CAST(date_diff('day', DATE '1970-01-01', f.cutoff) AS INTEGER) AS cutoff_day,
  CAST(f.days_since_last_session AS DOUBLE) AS days_since_last_session,
  CAST(f.days_since_last_purchase AS DOUBLE) AS days_since_last_purchase,
  f.sessions_7d, f.sessions_30d, f.sessions_90d,
  f.active_days_7d, f.active_days_30d, f.active_days_90d,
  f.page_views_30d,
  f.purchases_7d, f.purchases_30d, f.purchases_90d,
  CAST(coalesce(p.revenue_7d, 0) AS DOUBLE) AS revenue_7d, CAST(coalesce(p.revenue_30d, 0) AS DOUBLE) AS revenue_30d,
  CAST(coalesce(p.revenue_90d, 0) AS DOUBLE) AS revenue_90d,
  CAST(coalesce(p.revenue_30d, 0) AS DOUBLE) / NULLIF(f.purchases_30d, 0) AS avg_order_value_30d,
  CAST(coalesce(p.revenue_90d, 0) AS DOUBLE) / NULLIF(f.purchases_90d, 0) AS avg_order_value_90d,
  CAST(date_diff('day', CAST(u.signup_at AS DATE), f.cutoff) AS DOUBLE) AS tenure_days,
  greatest(f.carts_30d - f.purchases_30d, 0) / NULLIF(CAST(f.carts_30d AS DOUBLE), 0) AS cart_abandonment_rate_30d,
  greatest(f.carts_90d - f.purchases_90d, 0) / NULLIF(CAST(f.carts_90d AS DOUBLE), 0) AS cart_abandonment_rate_90d,
  coalesce(p.failed_payments_30d, 0) AS failed_payments_30d, coalesce(p.failed_payments_90d, 0) AS failed_payments_90d,
  coalesce(p.refunds_30d, 0) AS refunds_30d, coalesce(p.refunds_90d, 0) AS refunds_90d,
  f.sessions_30d / NULLIF(CAST(f.sessions_prev_30d AS DOUBLE), 0) AS sessions_trend_30d,
  f.purchases_30d / NULLIF(CAST(f.purchases_prev_30d AS DOUBLE), 0) AS purchases_trend_30d,
  -- a ratio of whole cents, as the features stage divides the rollup's cents (amounts are DECIMAL,
  -- so both are exact): the same double to the last bit, not just within rounding
  CAST(coalesce(p.revenue_30d, 0) * 100 AS DOUBLE) / NULLIF(CAST(coalesce(p.revenue_prev_30d, 0) * 100 AS DOUBLE), 0) AS revenue_trend_30d,
  f.label_events = 0 AS label
FROM f
JOIN users u ON u.user_id = f.user_id
LEFT JOIN p ON p.cutoff = f.cutoff AND p.user_id = f.user_id
WHERE u.signup_at < CAST(f.cutoff AS TIMESTAMP) AND f.events_90d > 0
