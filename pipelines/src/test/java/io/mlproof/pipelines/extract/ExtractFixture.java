package io.mlproof.pipelines.extract;

import io.mlproof.pipelines.warehouse.DuckDbFixture;
import java.nio.file.Path;

/**
 * One hand-made warehouse for the extract tests; the logical date is 2024-01-07, so the data
 * interval is [2024-01-07T00:00Z, 2024-01-08T00:00Z). Each row's fate is written next to it and
 * every expected count in the tests follows from these comments.
 */
final class ExtractFixture {

  static final String DS = "2024-01-07";

  /** 2024-01-07 as days since 1970-01-01. */
  static final int DAY = 19729;

  private ExtractFixture() {}

  static Path create(Path file) {
    return DuckDbFixture.create(
        file,
        "INSERT INTO users VALUES"
            + " (1, TIMESTAMP '2024-01-01 10:00:00', 'DE', 'organic')," // good; signup day 19723
            + " (2, TIMESTAMP '2024-01-03 00:00:00', 'US', 'paid_search')," // good; signup day
            // 19725
            + " (3, TIMESTAMP '2024-01-08 09:00:00', 'FR', 'social')," // signed up after the
            // interval: not selected
            + " (5, NULL, 'DE', 'email')," // MISSING_FIELD
            + " (NULL, TIMESTAMP '2024-01-02 00:00:00', 'US', 'organic')", // NULL_ID
        "INSERT INTO events VALUES"
            + " (1, 1, 'session_start', TIMESTAMP '2024-01-07 08:00:00', NULL)," // good
            + " (2, 1, 'page_view', TIMESTAMP '2024-01-07 08:01:00', NULL)," // good
            + " (3, 1, 'add_to_cart', TIMESTAMP '2024-01-07 08:02:00', NULL)," // good
            + " (4, 1, 'purchase', TIMESTAMP '2024-01-07 08:03:00.25', 19.99)," // good, 1999 cents
            + " (5, 2, 'session_start', TIMESTAMP '2024-01-07 23:59:59.999999', NULL)," // good,
            // last
            // microsecond
            + " (6, NULL, 'page_view', TIMESTAMP '2024-01-07 09:00:00', NULL)," // NULL_ID
            + " (7, 2, 'purchase', TIMESTAMP '2024-01-07 10:00:00', -5.00)," // NEGATIVE_AMOUNT
            + " (8, 2, 'logout', TIMESTAMP '2024-01-07 11:00:00', NULL)," // UNKNOWN_EVENT_TYPE
            + " (9, 2, 'page_view', TIMESTAMP '2024-01-06 23:59:59', NULL)," // before the interval
            + " (10, 2, 'page_view', TIMESTAMP '2024-01-08 00:00:00', NULL)," // at its end: after
            + " (11, 1, 'page_view', NULL, NULL)," // MISSING_FIELD (time)
            + " (12, 1, 'purchase', TIMESTAMP '2024-01-07 12:00:00', NULL)", // MISSING_FIELD
        // (amount)
        "INSERT INTO payments VALUES"
            + " (1, 1, TIMESTAMP '2024-01-07 08:04:00', 19.99, 'succeeded')," // good
            + " (2, 2, TIMESTAMP '2024-01-07 10:00:01', 5.00, 'failed')," // good
            + " (3, 1, TIMESTAMP '2024-01-07 13:00:00', 19.99, 'refunded')," // good
            + " (4, NULL, TIMESTAMP '2024-01-07 14:00:00', 1.00, 'succeeded')," // NULL_ID
            + " (5, 2, TIMESTAMP '2024-01-07 15:00:00', 2.50, 'pending')," // UNKNOWN_STATUS
            + " (6, 2, TIMESTAMP '2024-01-07 16:00:00', -1.00, 'succeeded')," // NEGATIVE_AMOUNT
            + " (7, 1, TIMESTAMP '2024-01-08 00:00:00', 3.00, 'succeeded')," // after the interval
            + " (8, 4, TIMESTAMP '2024-01-07 17:00:00', 7.00, 'succeeded')"); // good; user 4 is not
    // in users
  }
}
