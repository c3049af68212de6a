-- The outcome of every entity of an experiment after its observation window: churned (boolean or
-- 0/1) and the pre-period covariate for CUPED (here sessions in the 28 days before assignment).
-- The demo's table is written by `mlproof demo simulate-experiment`. STRING is a type name in
-- both DuckDB and BigQuery.
SELECT
  CAST(entity_id AS STRING) AS entity_id,
  churned,
  pre_sessions
FROM {{ table('ab_outcomes') }}
WHERE experiment_id = {{ params.experiment_id }}
