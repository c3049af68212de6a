package io.mlproof.pipelines.sql;

/**
 * How {@code {{ table('name') }}} renders on one warehouse: {@code "events"} on DuckDB, {@code
 * `project.dataset.events`} on BigQuery. Implemented by each warehouse.
 */
@FunctionalInterface
public interface TableReferences {

  /** The quoted, qualified reference to table {@code name}, already checked as an identifier. */
  String tableReference(String name);
}
