-- Daily per-user rollup of events and payments (the EntityDay record), computed in the warehouse.
-- {{order_by}} is "ORDER BY user_id, day" (one user's rows together in the files, so the runner's
-- partial combine folds them before the shuffle) or empty (the benchmark's A/B of that lever).
-- The test-side stand-in for extract --recordType=entity_days; ids and days come back as numbers
-- because JDBC reads numeric columns ~10x faster than strings.
WITH ev AS (
  SELECT user_id,
         CAST(date_diff('day', DATE '1970-01-01', CAST(event_at AS DATE)) AS INTEGER) AS day,
         count(*) FILTER (WHERE event_type = 'session_start') AS sessions,
         count(*) FILTER (WHERE event_type = 'page_view') AS page_views,
         count(*) FILTER (WHERE event_type = 'add_to_cart') AS add_to_carts,
         count(*) FILTER (WHERE event_type = 'purchase') AS purchases,
         coalesce(CAST(round(sum(amount) FILTER (WHERE event_type = 'purchase') * 100) AS BIGINT), 0) AS revenue_cents
  FROM events WHERE user_id IS NOT NULL
  GROUP BY ALL
), pay AS (
  SELECT user_id,
         CAST(date_diff('day', DATE '1970-01-01', CAST(paid_at AS DATE)) AS INTEGER) AS day,
         count(*) FILTER (WHERE status = 'failed') AS failed_payments,
         count(*) FILTER (WHERE status = 'refunded') AS refunds
  FROM payments WHERE user_id IS NOT NULL
  GROUP BY ALL
)
SELECT user_id, day,
       coalesce(sessions, 0) AS sessions, coalesce(page_views, 0) AS page_views,
       coalesce(add_to_carts, 0) AS add_to_carts, coalesce(purchases, 0) AS purchases,
       coalesce(revenue_cents, 0) AS revenue_cents, coalesce(failed_payments, 0) AS failed_payments,
       coalesce(refunds, 0) AS refunds,
       CAST(date_diff('day', DATE '1970-01-01', CAST(u.signup_at AS DATE)) AS BIGINT) AS signup_day
FROM ev FULL OUTER JOIN pay USING (user_id, day)
JOIN users u USING (user_id)
{{order_by}}
