-- A seeded synthetic warehouse following docs/DATA.md (users, events, payments), for the parity
-- test and the features benchmark until the demo generator is used. Deterministic: every random
-- draw is a hash of (row keys, salt), so the same parameters give the same rows on any thread count.
-- Parameters: {{users}} users, {{days}} days from 2024-01-01.
CREATE MACRO rnd(a, b, salt) AS (hash(a, b, salt) % 1000003) / 1000003.0;

CREATE TABLE users AS
SELECT i AS user_id,
       TIMESTAMP '2024-01-01' + to_microseconds(CAST(floor(rnd(i, 0, 'signup') * {{days}} * 0.8 * 86400e6) AS BIGINT)) AS signup_at,
       ['US', 'DE', 'FR', 'GB', 'BR'][1 + CAST(floor(rnd(i, 0, 'country') * 5) AS INTEGER)] AS country,
       ['organic', 'paid_search', 'social', 'referral', 'email'][1 + CAST(floor(rnd(i, 0, 'channel') * 5) AS INTEGER)] AS acquisition_channel
FROM range(1, {{users}} + 1) t(i);

-- Each user is active on a day with a personal propensity, from signup until a personal churn day.
CREATE TEMP TABLE active_days AS
SELECT u.user_id, d.day, 1 + CAST(floor(rnd(u.user_id, d.day, 'n') * 12) AS INTEGER) AS n_events
FROM users u
CROSS JOIN range(0, {{days}}) d(day)
WHERE d.day >= CAST(date_diff('day', DATE '2024-01-01', CAST(u.signup_at AS DATE)) AS BIGINT)
  AND d.day < 20 + floor(rnd(u.user_id, 0, 'churn') * {{days}} * 1.5)
  AND rnd(u.user_id, d.day, 'active') < 0.05 + 0.55 * rnd(u.user_id, 0, 'propensity');

CREATE TABLE events AS
SELECT row_number() OVER (ORDER BY user_id, day, k) AS event_id,
       user_id,
       CASE WHEN k = 0 THEN 'session_start'
            WHEN r < 0.70 THEN 'page_view'
            WHEN r < 0.88 THEN 'add_to_cart'
            ELSE 'purchase' END AS event_type,
       TIMESTAMP '2024-01-01' + to_microseconds(CAST((day * 86400 + 36000 + k * 97 + floor(rnd(user_id, day * 100 + k, 's') * 40000)) * 1e6 AS BIGINT)) AS event_at,
       CASE WHEN k > 0 AND r >= 0.88 THEN CAST(5 + round(rnd(user_id, day * 100 + k, 'amount') * 200, 2) AS DECIMAL(12, 2)) END AS amount
FROM (SELECT user_id, day, k, rnd(user_id, day * 100 + k, 'type') AS r
      FROM (SELECT user_id, day, unnest(range(n_events)) AS k FROM active_days));

-- A payment per purchase (some refunded later the same day), plus failed attempts.
CREATE TABLE payments AS
SELECT row_number() OVER (ORDER BY user_id, paid_at, status) AS payment_id, user_id, paid_at, amount, status
FROM (
  SELECT user_id, event_at + INTERVAL 1 SECOND AS paid_at, amount,
         CASE WHEN rnd(event_id, 0, 'refund') < 0.06 THEN 'refunded' ELSE 'succeeded' END AS status
  FROM events WHERE event_type = 'purchase'
  UNION ALL
  SELECT user_id, TIMESTAMP '2024-01-01' + to_microseconds(CAST((day * 86400 + 80000) * 1e6 AS BIGINT)), 19.99, 'failed'
  FROM active_days WHERE rnd(user_id, day, 'failed') < 0.04
);
DROP TABLE active_days;
