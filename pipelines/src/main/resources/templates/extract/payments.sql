-- Payment attempts of the data interval, one row per payment, as stored.
-- Runs unchanged on DuckDB and BigQuery; the extract pipeline validates and dead-letters.
SELECT
  payment_id,
  user_id,
  paid_at,
  amount,
  status
FROM {{ table('payments') }}
WHERE (paid_at >= {{ data_interval_start }} AND paid_at < {{ data_interval_end }})
   OR paid_at IS NULL
