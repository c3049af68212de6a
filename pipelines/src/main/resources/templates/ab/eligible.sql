-- Who may enter the experiment: users signed up before the assignment date. One column,
-- entity_id (text). Replace with --eligibility=<your template> to exclude e.g. test accounts.
SELECT CAST(user_id AS STRING) AS entity_id
FROM {{ table('users') }}
WHERE signup_at < {{ data_interval_end }}
