-- One row per (user, UTC day) of the data interval: the daily rollup the features stage reads.
-- Runs unchanged on DuckDB and BigQuery (portable SQL only: CASE, CAST(... AS DATE), UNION ALL,
-- GROUP BY, LEFT JOIN).
--
-- Point in time: a row for day d sums only raw rows whose time falls on day d (UTC), and only
-- days inside the interval are selected.
--
-- Bad raw rows are not dropped silently. Each raw event or payment gets a `problem` (the same
-- checks, in the same order, as the events and payments extracts); rows with a problem are left
-- out of the sums and counted instead, per reason, in the bad_* columns. raw_rows counts every
-- raw row of the group. The extract pipeline turns each non-zero bad_* count into a dead letter
-- and adds it to its bad-row counters, so --maxBadFraction applies to raw rows. Raw rows with a
-- NULL user or a NULL time form groups with a NULL user_id or activity_date, all of them bad.
--
-- revenue is the sum of succeeded payments (money received), not of purchase events.
--
-- Counts are COUNT(CASE ... THEN 1 END), a 64-bit integer on DuckDB and BigQuery alike: DuckDB's
-- SUM of integers is a 128-bit HUGEINT, which its JDBC driver returns as a BigInteger per column
-- and row (14% of the extract's CPU at 10M events).
--
-- purchases_at_midnight and sessions_at_midnight count the day's events at exactly 00:00:00 UTC:
-- a label window (T, T + horizon] excludes the instant T and includes the instant T + horizon,
-- which day sums alone cannot tell apart.
--
-- Both scans' WHERE start with the partition marker on user_id. It renders as TRUE for a whole
-- read (and on BigQuery); a DuckDB read split into parts (--readPartitions) puts the part's
-- hash(user_id) filter there, inside the scans. Without it the filter would wrap the whole query,
-- and DuckDB keeps it above the GROUP BY and the JOIN: every part would aggregate all raw rows of
-- the interval. user_id is the key of the output rows (each group has one user_id, and the join to
-- users matches on it), so each output row is made from the raw rows of one part only.
WITH raw AS (
  SELECT
    user_id,
    CAST(event_at AS DATE) AS activity_date,
    event_type,
    event_at = CAST(CAST(event_at AS DATE) AS TIMESTAMP) AS at_midnight,
    NULL AS payment_status,
    NULL AS payment_amount,
    CASE
      WHEN event_id IS NULL OR user_id IS NULL THEN 'NULL_ID'
      WHEN event_at IS NULL THEN 'MISSING_FIELD'
      WHEN event_type IS NULL
        OR event_type NOT IN ('session_start', 'page_view', 'add_to_cart', 'purchase') THEN 'UNKNOWN_EVENT_TYPE'
      WHEN amount < 0 THEN 'NEGATIVE_AMOUNT'
      WHEN event_type = 'purchase' AND amount IS NULL THEN 'MISSING_FIELD'
    END AS problem
  FROM {{ table('events') }}
  WHERE {{ partition('user_id') }}
    AND ((event_at >= {{ data_interval_start }} AND event_at < {{ data_interval_end }})
      OR event_at IS NULL)
  UNION ALL
  SELECT
    user_id,
    CAST(paid_at AS DATE) AS activity_date,
    NULL AS event_type,
    FALSE AS at_midnight,
    status AS payment_status,
    amount AS payment_amount,
    CASE
      WHEN payment_id IS NULL OR user_id IS NULL THEN 'NULL_ID'
      WHEN paid_at IS NULL OR amount IS NULL THEN 'MISSING_FIELD'
      WHEN status IS NULL OR status NOT IN ('succeeded', 'failed', 'refunded') THEN 'UNKNOWN_STATUS'
      WHEN amount < 0 THEN 'NEGATIVE_AMOUNT'
    END AS problem
  FROM {{ table('payments') }}
  WHERE {{ partition('user_id') }}
    AND ((paid_at >= {{ data_interval_start }} AND paid_at < {{ data_interval_end }})
      OR paid_at IS NULL)
),
days AS (
  SELECT
    user_id,
    activity_date,
    COUNT(*) AS raw_rows,
    COUNT(CASE WHEN problem IS NULL AND event_type = 'session_start' THEN 1 END) AS sessions,
    COUNT(CASE WHEN problem IS NULL AND event_type = 'page_view' THEN 1 END) AS page_views,
    COUNT(CASE WHEN problem IS NULL AND event_type = 'add_to_cart' THEN 1 END) AS add_to_carts,
    COUNT(CASE WHEN problem IS NULL AND event_type = 'purchase' THEN 1 END) AS purchases,
    COUNT(CASE WHEN problem IS NULL AND event_type = 'purchase' AND at_midnight THEN 1 END) AS purchases_at_midnight,
    COUNT(CASE WHEN problem IS NULL AND event_type = 'session_start' AND at_midnight THEN 1 END) AS sessions_at_midnight,
    SUM(CASE WHEN problem IS NULL AND payment_status = 'succeeded' THEN payment_amount ELSE 0 END) AS revenue,
    COUNT(CASE WHEN problem IS NULL AND payment_status = 'failed' THEN 1 END) AS failed_payments,
    COUNT(CASE WHEN problem IS NULL AND payment_status = 'refunded' THEN 1 END) AS refunds,
    COUNT(CASE WHEN problem = 'NULL_ID' THEN 1 END) AS bad_null_id,
    COUNT(CASE WHEN problem = 'MISSING_FIELD' THEN 1 END) AS bad_missing_field,
    COUNT(CASE WHEN problem = 'UNKNOWN_EVENT_TYPE' THEN 1 END) AS bad_unknown_event_type,
    COUNT(CASE WHEN problem = 'UNKNOWN_STATUS' THEN 1 END) AS bad_unknown_status,
    COUNT(CASE WHEN problem = 'NEGATIVE_AMOUNT' THEN 1 END) AS bad_negative_amount
  FROM raw
  GROUP BY user_id, activity_date
)
SELECT
  d.user_id,
  d.activity_date,
  CAST(u.signup_at AS DATE) AS signup_date,
  d.raw_rows,
  d.sessions,
  d.page_views,
  d.add_to_carts,
  d.purchases,
  d.revenue,
  d.failed_payments,
  d.refunds,
  d.purchases_at_midnight,
  d.sessions_at_midnight,
  d.bad_null_id,
  d.bad_missing_field,
  d.bad_unknown_event_type,
  d.bad_unknown_status,
  d.bad_negative_amount
FROM days AS d
LEFT JOIN {{ table('users') }} AS u ON u.user_id = d.user_id
