package io.mlproof.pipelines.warehouse;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.sql.RenderedSql;
import io.mlproof.pipelines.sql.SqlIdentifiers;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * A BigQuery dataset, {@code bigquery:<project>.<dataset>}. Pipelines read it with
 * {@code BigQueryIO} (standard SQL, Storage Read API); dry runs and small queries go through
 * {@link BigQueryApi}. Jobs are billed to the pipeline's {@code --project} (the warehouse project
 * unless set).
 */
public final class BigQueryWarehouse implements Warehouse {

  private final String project;
  private final String dataset;
  private final BigQueryApi api;
  private final BigQueryServices testServices;

  private BigQueryWarehouse(String project, String dataset, BigQueryApi api, BigQueryServices testServices) {
    if (!SqlIdentifiers.GCP_PROJECT.matcher(project).matches()
        || !SqlIdentifiers.BIGQUERY_DATASET.matcher(dataset).matches()) {
      throw new InvalidInputException(
          "bigquery:" + project + "." + dataset + " names an invalid BigQuery project or dataset: the"
              + " project is 6-30 lowercase letters, digits or hyphens, the dataset letters, digits or underscores");
    }
    this.project = project;
    this.dataset = dataset;
    this.api = Objects.requireNonNull(api);
    this.testServices = testServices;
  }

  /** The production warehouse: Application Default Credentials, jobs billed to {@code project}. */
  public static BigQueryWarehouse of(String project, String dataset) {
    return new BigQueryWarehouse(project, dataset, new CloudBigQueryApi(project, project, dataset), null);
  }

  /** The same dataset with driver-side calls answered by {@code api} (tests, other billing project). */
  public BigQueryWarehouse withApi(BigQueryApi api) {
    return new BigQueryWarehouse(project, dataset, api, testServices);
  }

  /** The same dataset with pipeline reads served by {@code services}, e.g. Beam's FakeBigQueryServices. */
  public BigQueryWarehouse withTestServices(BigQueryServices services) {
    return new BigQueryWarehouse(project, dataset, api, services);
  }

  public String project() {
    return project;
  }

  public String dataset() {
    return dataset;
  }

  @Override
  public Dialect dialect() {
    return Dialect.BIGQUERY;
  }

  @Override
  public String spec() {
    return "bigquery:" + project + "." + dataset;
  }

  @Override
  public String tableReference(String name) {
    return "`" + project + "." + dataset + "." + SqlIdentifiers.checkName(name, "table name") + "`";
  }

  @Override
  public void checkAvailable() {
    api.checkDataset();
  }

  @Override
  public List<String> tables() {
    return api.tableNames().stream().sorted().toList();
  }

  @Override
  public DryRun dryRun(RenderedSql sql) {
    SingleStatement.require(sql, Dialect.BIGQUERY);
    try {
      return api.dryRun(sql.sql());
    } catch (BigQueryApi.QueryError e) {
      throw queryError(sql, e);
    }
  }

  @Override
  public <T> PTransform<PBegin, PCollection<T>> read(
      RenderedSql sql, SqlRowMapper<T> mapper, Coder<T> coder) {
    SingleStatement.require(sql, Dialect.BIGQUERY);
    BigQueryIO.TypedRead<T> read =
        BigQueryIO.read(new AvroRows.Parser<>(mapper))
            .fromQuery(sql.sql())
            .usingStandardSql()
            .withMethod(BigQueryIO.TypedRead.Method.DIRECT_READ)
            .withCoder(coder);
    return testServices == null ? read : read.withTestServices(testServices);
  }

  @Override
  public List<ResultRow> queryRows(RenderedSql sql) {
    SingleStatement.require(sql, Dialect.BIGQUERY);
    List<ResultRow> rows;
    try {
      rows = api.query(sql.sql(), MAX_QUERY_ROWS);
    } catch (BigQueryApi.QueryError e) {
      throw queryError(sql, e);
    }
    if (rows.size() > MAX_QUERY_ROWS) {
      throw new InvalidInputException(
          "template " + sql.template() + " returned more than " + MAX_QUERY_ROWS
              + " rows: queryRows is for small lookups, read large results in a pipeline");
    }
    return rows;
  }

  private static InvalidInputException queryError(RenderedSql sql, BigQueryApi.QueryError e) {
    return new InvalidInputException(
        "template " + sql.template() + " does not run on BigQuery (" + e.getMessage() + "): fix the template", e);
  }
}
