package io.mlproof.pipelines.warehouse;

import java.util.List;
import java.util.OptionalLong;

/**
 * What a warehouse says about a query without running it.
 *
 * @param columns the result columns the query would return
 * @param bytesProcessed bytes the query would scan (what it costs on BigQuery); empty on DuckDB
 * @param plan the engine's plan ({@code EXPLAIN} on DuckDB), or a one-line summary
 */
public record DryRun(
    Dialect dialect, List<SqlColumn> columns, OptionalLong bytesProcessed, String plan) {

  public DryRun {
    columns = List.copyOf(columns);
  }

  public List<String> columnNames() {
    return columns.stream().map(SqlColumn::name).toList();
  }
}
