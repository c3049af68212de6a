package io.mlproof.pipelines.warehouse;

/**
 * The SQL dialect of a warehouse; names the per-dialect template variant ({@code x.duckdb.sql}).
 */
public enum Dialect {
  DUCKDB("duckdb"),
  BIGQUERY("bigquery");

  private final String variant;

  Dialect(String variant) {
    this.variant = variant;
  }

  /** The suffix of this dialect's template variants, e.g. {@code bigquery}. */
  public String templateVariant() {
    return variant;
  }
}
