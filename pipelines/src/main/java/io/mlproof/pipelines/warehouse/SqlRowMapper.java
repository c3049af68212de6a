package io.mlproof.pipelines.warehouse;

import java.io.Serializable;

/**
 * Turns one result row into a pipeline element. Runs on workers, so it must be serializable; it
 * sees the same {@link SqlRow} on every engine.
 */
@FunctionalInterface
public interface SqlRowMapper<T> extends Serializable {

  T map(SqlRow row) throws Exception;

  /** Keeps the row itself (as a {@link ResultRow}, coded by {@link ResultRowCoder}). */
  static SqlRowMapper<ResultRow> copy() {
    return ResultRow::copyOf;
  }
}
