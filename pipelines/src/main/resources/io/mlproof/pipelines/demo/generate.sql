-- The demo warehouse generator. docs/DATA.md ("The generative process") documents every number
-- in this file: change both together and bump DemoWarehouse.PROCESS_VERSION.
--
-- DemoWarehouse fills the ${...} placeholders from a validated DemoSpec and runs the statements
-- one by one (each ends with ';' at the end of a line). All randomness comes from u(i, d, k), a
-- hash of (seed, i, d, k) mapped to [0, 1): every value depends on the spec alone, never on
-- thread scheduling, so the same spec gives the same table contents. DuckDB's random() and
-- setseed() are not used: they are not reproducible under parallel execution.
--
-- The process: per-user traits -> a user x day grid of Poisson session counts (as if the user
-- never churned) -> sessions with page views, carts, purchases and payments -> the daily churn
-- hazard from the grid (recency, recent failed payments and refunds) -> the first day the churn
-- draw falls under the hazard -> everything from that day on is dropped. The hazard of day d
-- only reads days before d, which are the same whether or not the user churns later, so this
-- equals simulating day by day.

-- Table contents are fixed by the spec; their physical row order is not, which lets DuckDB
-- insert in parallel.
SET preserve_insertion_order = false;

-- The uniform draw: hash() combines its arguments by xor, so its values for (..., k) and
-- (..., k + 1) are correlated; the outer hash() mixes them again (measured: correlation < 0.001).
CREATE TEMP MACRO u(i, d, k) AS
  (hash(hash(${seed}::BIGINT, i::BIGINT, d::BIGINT, k::BIGINT)) >> 11)::DOUBLE / 9007199254740992.0;
-- A standard normal draw from two uniforms (Box-Muller).
CREATE TEMP MACRO gauss(a, b) AS sqrt(-2 * ln(1 - a)) * cos(2 * pi() * b);
-- Poisson(l) by inversion, truncated at 6. A CASE, because it only evaluates the later
-- thresholds for the few rows that need them.
CREATE TEMP MACRO poisson6(l, v) AS
  CASE WHEN v < exp(-l) THEN 0
       WHEN v < exp(-l) * (1 + l) THEN 1
       WHEN v < exp(-l) * (1 + l * (1 + l / 2)) THEN 2
       WHEN v < exp(-l) * (1 + l * (1 + l / 2 * (1 + l / 3))) THEN 3
       WHEN v < exp(-l) * (1 + l * (1 + l / 2 * (1 + l / 3 * (1 + l / 4)))) THEN 4
       WHEN v < exp(-l) * (1 + l * (1 + l / 2 * (1 + l / 3 * (1 + l / 4 * (1 + l / 5))))) THEN 5
       ELSE 6 END;
-- Seconds into the day a session may start: its events (at most 8 steps of at most 60 s) and its
-- payment (5 s after the purchase) stay on the same day.
CREATE TEMP MACRO last_start_second() AS 85900;

-- Users and their latent traits (draws with d = -1).
CREATE TEMP TABLE g_users AS
SELECT i AS user_id,
  floor(${days} * u(i, -1, 1))::INT AS signup_day,
  floor(last_start_second() * u(i, -1, 2))::INT AS signup_sec,
  u(i, -1, 3) AS v_country,
  u(i, -1, 4) AS v_channel,
  exp(ln(0.4) + 0.6 * gauss(u(i, -1, 5), u(i, -1, 6))) AS base_engagement,
  CASE WHEN u(i, -1, 7) < 0.5 THEN 0.01 + 0.04 * u(i, -1, 8) ELSE 0 END AS decay_rate,
  0.2 + 0.6 * u(i, -1, 9) AS conversion,
  CASE WHEN u(i, -1, 10) < 0.12 THEN 0.25 ELSE 0.02 END AS failure_prob,
  exp(ln(35) + 0.5 * gauss(u(i, -1, 11), u(i, -1, 12))) AS basket_median
FROM range(1, ${users} + 1) t(i);

CREATE TEMP TABLE g_traits AS
SELECT user_id, signup_day, signup_sec, decay_rate, conversion, failure_prob, basket_median,
  CASE WHEN v_country < 0.30 THEN 'US' WHEN v_country < 0.42 THEN 'GB' WHEN v_country < 0.54 THEN 'DE'
       WHEN v_country < 0.64 THEN 'FR' WHEN v_country < 0.72 THEN 'CA' WHEN v_country < 0.78 THEN 'NL'
       WHEN v_country < 0.84 THEN 'ES' WHEN v_country < 0.90 THEN 'IN' WHEN v_country < 0.95 THEN 'BR'
       ELSE 'AU' END AS country,
  CASE WHEN v_channel < 0.35 THEN 'organic' WHEN v_channel < 0.60 THEN 'paid_search'
       WHEN v_channel < 0.80 THEN 'social' WHEN v_channel < 0.90 THEN 'referral' ELSE 'email' END AS channel,
  base_engagement * CASE WHEN v_channel < 0.35 THEN 1.0 WHEN v_channel < 0.60 THEN 0.9
       WHEN v_channel < 0.80 THEN 0.7 WHEN v_channel < 0.90 THEN 1.3 ELSE 1.1 END AS engagement
FROM g_users;

-- The user x day grid from the signup day on: sessions per day, as if the user never churned.
-- Weekly seasonality multiplies the rate by [Mon .. Sun][ISO weekday of start + d].
CREATE TEMP TABLE g_days AS
SELECT user_id, d, CASE WHEN d = signup_day THEN 1 ELSE poisson6(lam, u(user_id, d, 20)) END AS n_sessions
FROM (
  SELECT user_id, d, signup_day,
    engagement * exp(-decay_rate * (d - signup_day))
      * [0.90, 0.90, 0.95, 0.95, 1.05, 1.10, 1.15][1 + (d + isodow(DATE '${start}') - 1) % 7] AS lam
  FROM (SELECT user_id, signup_day, engagement, decay_rate, unnest(range(signup_day, ${days})) AS d FROM g_traits));

-- Sessions (draws with k = 100 + 10 * session + j). The signup day's one session starts at signup.
CREATE TEMP TABLE g_sessions AS
SELECT user_id, d, s, t0, pv, gap, cart, purchase,
  CASE WHEN purchase THEN greatest(1.00, round(basket_median
    * exp(0.35 * gauss(u(user_id, d, 100 + 10 * s + 4), u(user_id, d, 100 + 10 * s + 5))), 2))::DECIMAL(12, 2) END AS amount,
  CASE WHEN NOT purchase THEN NULL
       WHEN v_pay < failure_prob THEN 'failed'
       WHEN v_pay < failure_prob + (1 - failure_prob) * 0.05 THEN 'refunded'
       ELSE 'succeeded' END AS status
FROM (
  SELECT user_id, d, s, basket_median, failure_prob,
    CASE WHEN d = signup_day THEN signup_sec
         ELSE floor(last_start_second() * u(user_id, d, 100 + 10 * s))::INT END AS t0,
    1 + floor(6 * u(user_id, d, 100 + 10 * s + 1))::INT AS pv,
    10 + floor(51 * u(user_id, d, 100 + 10 * s + 7))::INT AS gap,
    u(user_id, d, 100 + 10 * s + 2) < 0.35 AS cart,
    u(user_id, d, 100 + 10 * s + 2) < 0.35 AND u(user_id, d, 100 + 10 * s + 3) < conversion AS purchase,
    u(user_id, d, 100 + 10 * s + 6) AS v_pay
  FROM (SELECT user_id, d, unnest(range(n_sessions)) AS s FROM g_days WHERE n_sessions > 0)
  JOIN g_traits USING (user_id));

-- The daily churn hazard, from the day after signup on, reads only earlier days:
--   h(d) = least(0.5, 0.003 * exp(0.05 * least(R, 60)) * 6 ^ F * 2.5 ^ Q)
-- R: days since the last day with a session before d; F, Q: failed and refunded payments on days
-- d - 30 .. d - 1. The user churns on the first day d with u(user, d, 21) < h(d).
-- Evaluated without sorting the whole user x day grid: every grid day after signup lies in a gap
-- (a, b] after an active day a, where R = d - a. Since 6 ^ F * 2.5 ^ Q >= 1, a day whose draw is
-- below the recency part alone churns in any case ("plain"); the few days after a failed or
-- refunded payment are checked with the full hazard ("troubled").
CREATE TEMP TABLE g_gaps AS
SELECT user_id, d AS a, coalesce(lead(d) OVER (PARTITION BY user_id ORDER BY d), ${days} - 1) AS b
FROM g_days WHERE n_sessions > 0;

CREATE TEMP TABLE g_trouble AS
SELECT user_id, d, 6 ^ count(*) FILTER (status = 'failed') * 2.5 ^ count(*) FILTER (status = 'refunded') AS boost
FROM (SELECT user_id, status, unnest(range(d + 1, d + 31)) AS d FROM g_sessions WHERE status IN ('failed', 'refunded'))
WHERE d < ${days}
GROUP BY user_id, d;

CREATE TEMP TABLE g_churn AS
SELECT user_id, min(d) AS churn_day
FROM (
  SELECT user_id, d FROM (SELECT user_id, a, unnest(range(a + 1, b + 1)) AS d FROM g_gaps)
  WHERE u(user_id, d, 21) < 0.003 * exp(0.05 * least(d - a, 60))
  UNION ALL
  SELECT t.user_id, t.d FROM g_trouble t ASOF JOIN g_gaps g ON t.user_id = g.user_id AND t.d > g.a
  WHERE u(t.user_id, t.d, 21) < least(0.5, 0.003 * exp(0.05 * least(t.d - g.a, 60)) * t.boost))
GROUP BY user_id;

CREATE TEMP TABLE g_live AS
SELECT g.* FROM g_sessions g LEFT JOIN g_churn c USING (user_id) WHERE c.churn_day IS NULL OR g.d < c.churn_day;

-- Sessions numbered for event ids: ids count events in (user, day, session, step) order. The
-- running sums run per user (in parallel) and then over users, never over all events.
CREATE TEMP TABLE g_numbered AS
WITH sized AS (SELECT *, 1 + pv + cart::INT + purchase::INT AS n FROM g_live),
user_offsets AS (
  SELECT user_id, sum(total) OVER (ORDER BY user_id ROWS UNBOUNDED PRECEDING) - total AS before_user
  FROM (SELECT user_id, sum(n) AS total FROM sized GROUP BY user_id))
SELECT sized.*, before_user + sum(n) OVER (PARTITION BY user_id ORDER BY d, s ROWS UNBOUNDED PRECEDING) - n + 1 AS first_id
FROM sized JOIN user_offsets USING (user_id);

-- The warehouse tables (docs/DATA.md fixes names and types). Rows are stored in no particular
-- order (parallel inserts); their contents are fixed by the spec.
CREATE TABLE users (user_id BIGINT, signup_at TIMESTAMP, country VARCHAR, acquisition_channel VARCHAR);
INSERT INTO users
SELECT user_id, make_timestamp(epoch_us(TIMESTAMP '${start}') + (signup_day * 86400 + signup_sec) * 1000000::BIGINT),
  country, channel
FROM g_traits;

CREATE TABLE events (event_id BIGINT, user_id BIGINT, event_type VARCHAR, event_at TIMESTAMP, amount DECIMAL(12, 2));
-- Step p of a session happens at t0 + p * gap seconds: 0 session_start, 1..pv page_view, then
-- add_to_cart, then purchase.
INSERT INTO events
SELECT first_id + p, user_id,
  CASE WHEN p = 0 THEN 'session_start' WHEN p <= pv THEN 'page_view'
       WHEN p = pv + 1 THEN 'add_to_cart' ELSE 'purchase' END,
  make_timestamp(epoch_us(TIMESTAMP '${start}') + (d * 86400 + t0 + p * gap) * 1000000::BIGINT),
  CASE WHEN p = pv + 2 THEN amount END
FROM (SELECT *, unnest(range(n)) AS p FROM g_numbered);

CREATE TABLE payments (payment_id BIGINT, user_id BIGINT, paid_at TIMESTAMP, amount DECIMAL(12, 2), status VARCHAR);
-- One payment per purchase, 5 s after it, same amount.
INSERT INTO payments
SELECT row_number() OVER (ORDER BY user_id, d, s), user_id,
  make_timestamp(epoch_us(TIMESTAMP '${start}') + (d * 86400 + t0 + (pv + 2) * gap + 5) * 1000000::BIGINT),
  amount, status
FROM g_live WHERE purchase;

-- Deliberately malformed copies (draws with d = -2 for events, -3 for payments). While the
-- tables hold only valid rows, each row is copied when its first draw is below the bad-row rate;
-- the second draw picks one of four kinds. Copies get the ids after the last valid id, in the
-- order of their sources. Kind 3 keeps the time of day but moves the date to 1970-01-01 (a device
-- clock reset to the epoch).
CREATE TEMP TABLE g_bad_events AS
SELECT (SELECT max(event_id) FROM events) + row_number() OVER (ORDER BY event_id) AS event_id,
  CASE WHEN kind = 0 THEN NULL ELSE user_id END AS user_id,
  CASE kind WHEN 1 THEN 'purchase' WHEN 2 THEN 'app_crash' ELSE event_type END AS event_type,
  CASE WHEN kind = 3 THEN TIMESTAMP '1970-01-01' + (event_at - event_at::DATE) ELSE event_at END AS event_at,
  CASE kind WHEN 1 THEN -coalesce(amount, 10.00) WHEN 2 THEN NULL ELSE amount END AS amount
FROM (SELECT *, floor(4 * u(event_id, -2, 2))::INT AS kind FROM events WHERE u(event_id, -2, 1) < ${bad_row_rate}::DOUBLE);

CREATE TEMP TABLE g_bad_payments AS
SELECT (SELECT max(payment_id) FROM payments) + row_number() OVER (ORDER BY payment_id) AS payment_id,
  CASE WHEN kind = 0 THEN NULL ELSE user_id END AS user_id,
  CASE WHEN kind = 3 THEN TIMESTAMP '1970-01-01' + (paid_at - paid_at::DATE) ELSE paid_at END AS paid_at,
  CASE WHEN kind = 1 THEN -amount ELSE amount END AS amount,
  CASE WHEN kind = 2 THEN 'pending' ELSE status END AS status
FROM (SELECT *, floor(4 * u(payment_id, -3, 2))::INT AS kind FROM payments WHERE u(payment_id, -3, 1) < ${bad_row_rate}::DOUBLE);

INSERT INTO events SELECT * FROM g_bad_events;
INSERT INTO payments SELECT * FROM g_bad_payments;

CREATE TABLE demo_truth (user_id BIGINT, engagement DOUBLE, decay_rate DOUBLE, conversion DOUBLE,
  failure_prob DOUBLE, basket_median DOUBLE, churned_at TIMESTAMP);
COMMENT ON TABLE demo_truth IS 'Never a feature: the generative process''s latent traits and churn times, for tests that check results against the process (docs/DATA.md).';
INSERT INTO demo_truth
SELECT user_id, engagement, decay_rate, conversion, failure_prob, basket_median,
  TIMESTAMP '${start}' + to_days(churn_day)
FROM g_traits LEFT JOIN g_churn USING (user_id);

CREATE TABLE mlproof_demo_meta (process_version INTEGER, users BIGINT, days INTEGER, start_date DATE,
  seed BIGINT, bad_row_rate DOUBLE, bad_events BIGINT, bad_payments BIGINT);
INSERT INTO mlproof_demo_meta
SELECT ${process_version}, ${users}, ${days}, DATE '${start}', ${seed}, ${bad_row_rate}::DOUBLE,
  (SELECT count(*) FROM g_bad_events), (SELECT count(*) FROM g_bad_payments);
