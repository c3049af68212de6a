package io.mlproof.pipelines.core;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Which warehouse a pipeline reads: the embedded DuckDB file by default, BigQuery in production.
 */
public interface WarehouseOptions extends PipelineOptions {

  @Description(
      "Warehouse to read: duckdb:<path to .duckdb file> (embedded default) or"
          + " bigquery:<project>.<dataset>.")
  @Default.String("duckdb:build/demo/warehouse.duckdb")
  String getWarehouse();

  void setWarehouse(String value);
}
