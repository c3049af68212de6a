-- The users known at the end of the data interval (point in time: no later signups).
-- Runs unchanged on DuckDB and BigQuery; the extract pipeline validates and dead-letters.
SELECT
  user_id,
  signup_at,
  country,
  acquisition_channel
FROM {{ table('users') }}
WHERE signup_at < {{ data_interval_end }}
   OR signup_at IS NULL
