-- Raw analytics events of the data interval, one row per event, as stored.
-- Runs unchanged on DuckDB and BigQuery. Nothing is filtered here but time: the extract pipeline
-- checks every row and dead-letters the bad ones (NULL ids, unknown types, negative amounts,
-- times outside the interval). Rows with a NULL time are selected too, so that they are counted
-- and dead-lettered instead of silently belonging to no interval.
SELECT
  event_id,
  user_id,
  event_type,
  event_at,
  amount
FROM {{ table('events') }}
WHERE (event_at >= {{ data_interval_start }} AND event_at < {{ data_interval_end }})
   OR event_at IS NULL
