package io.mlproof.pipelines.warehouse;

import io.mlproof.pipelines.core.InvalidInputException;
import java.util.List;

/**
 * The driver-side BigQuery calls mlproof makes (dry runs, small queries, table listing), behind one
 * small interface so that tests can answer them: no BigQuery can run in tests. The shipped
 * implementation is {@link CloudBigQueryApi} (the google-cloud-bigquery client).
 *
 * <p>Availability problems (no credentials, no such project or dataset, no permission) are thrown
 * as {@link InvalidInputException}s naming the dataset and the fix; errors in a query's SQL as
 * {@link QueryError}s carrying BigQuery's one-line message.
 */
public interface BigQueryApi {

  /** Fails when the dataset cannot be reached. */
  void checkDataset();

  /** Tables and views in the dataset. */
  List<String> tableNames();

  /** A dry-run job: the result schema and the bytes the query would scan. */
  DryRun dryRun(String sql);

  /** Runs a query and returns at most {@code maxRows + 1} rows (so callers can detect overflow). */
  List<ResultRow> query(String sql, int maxRows);

  /** The one-line error for a dataset that cannot be reached, naming it and the fixes. */
  static InvalidInputException unreachable(String project, String dataset, String reason) {
    return new InvalidInputException(
        "BigQuery dataset "
            + project
            + "."
            + dataset
            + " is not reachable ("
            + reason
            + "): check the"
            + " project and dataset names, run `gcloud auth application-default login`, or pass"
            + " --warehouse=duckdb:<file>");
  }

  /** BigQuery rejected a query's SQL; the message is BigQuery's, on one line. */
  final class QueryError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QueryError(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
