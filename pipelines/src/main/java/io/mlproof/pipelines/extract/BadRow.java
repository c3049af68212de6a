package io.mlproof.pipelines.extract;

/**
 * Thrown by a row check to reject one row. Rare by design (bad rows are at most a few percent), so
 * the control flow stays linear; no stack trace is captured.
 */
final class BadRow extends Exception {
  private static final long serialVersionUID = 1L;
  final BadRowReason reason;

  BadRow(BadRowReason reason, String why) {
    super(why, null, false, false);
    this.reason = reason;
  }
}
