package io.mlproof.pipelines.warehouse;

import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TableSchema;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.StageRun;
import io.mlproof.pipelines.sql.RenderedSql;
import io.mlproof.pipelines.sql.SqlIdentifiers;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.io.gcp.bigquery.TableRowJsonCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * A BigQuery dataset, {@code bigquery:<project>.<dataset>}. Pipelines read it with {@code
 * BigQueryIO} (standard SQL, Storage Read API); dry runs and small queries go through {@link
 * BigQueryApi}. Jobs are billed to the pipeline's {@code --project} (the warehouse project unless
 * set).
 */
public final class BigQueryWarehouse implements Warehouse {

  private final String project;
  private final String dataset;
  private final BigQueryApi api;
  private final BigQueryServices testServices;

  private BigQueryWarehouse(
      String project, String dataset, BigQueryApi api, BigQueryServices testServices) {
    if (!SqlIdentifiers.GCP_PROJECT.matcher(project).matches()
        || !SqlIdentifiers.BIGQUERY_DATASET.matcher(dataset).matches()) {
      throw new InvalidInputException(
          "bigquery:"
              + project
              + "."
              + dataset
              + " names an invalid BigQuery project or dataset: the"
              + " project is 6-30 lowercase letters, digits or hyphens, the dataset letters, digits or underscores");
    }
    this.project = project;
    this.dataset = dataset;
    this.api = Objects.requireNonNull(api);
    this.testServices = testServices;
  }

  /** The production warehouse: Application Default Credentials, jobs billed to {@code project}. */
  public static BigQueryWarehouse of(String project, String dataset) {
    return new BigQueryWarehouse(
        project, dataset, new CloudBigQueryApi(project, project, dataset), null);
  }

  /**
   * The same dataset with driver-side calls answered by {@code api} (tests, other billing project).
   */
  public BigQueryWarehouse withApi(BigQueryApi api) {
    return new BigQueryWarehouse(project, dataset, api, testServices);
  }

  /**
   * The same dataset with pipeline reads served by {@code services}, e.g. Beam's
   * FakeBigQueryServices.
   */
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
          "template "
              + sql.template()
              + " returned more than "
              + MAX_QUERY_ROWS
              + " rows: queryRows is for small lookups, read large results in a pipeline");
    }
    return rows;
  }

  @Override
  public QueryTable queryTable(RenderedSql sql) {
    return QueryTable.of(queryRows(sql));
  }

  @Override
  public void configure(PipelineOptions options) {
    GcpOptions gcp = options.as(GcpOptions.class);
    if (gcp.getProject() == null) {
      gcp.setProject(project); // bill the warehouse's project
    }
  }

  /**
   * BigQuery replaces a day partition (DATE key) or a table per key value (STRING key): {@link
   * BigQueryDestination}.
   */
  @Override
  public void checkWritable(WarehouseTable table, String option) {
    SqlIdentifiers.checkName(table.name(), option);
    String unsupported = BigQueryDestination.unsupported(table);
    if (unsupported != null) {
      throw new InvalidInputException(
          option
              + "="
              + table.name()
              + " cannot be written to "
              + spec()
              + ": "
              + unsupported
              + ": use a DuckDB warehouse, or pass "
              + option
              + "= (empty) to skip the table");
    }
    checkAvailable();
  }

  /**
   * One load job per write (WRITE_TRUNCATE) into its {@link BigQueryDestination}: the key day's
   * partition ({@code table$YYYYMMDD}, the table created day-partitioned by its key) or the key's
   * own table ({@code table__<key>}), which replaces that key's rows and nothing else.
   */
  @Override
  public void replaceRows(List<TableWrite> writes, PipelineOptions options) {
    Pipeline pipeline = Pipeline.create(options);
    for (TableWrite write : writes) {
      checkWritable(write.table(), "table");
      WarehouseTable table = write.table();
      BigQueryDestination destination = BigQueryDestination.of(project, dataset, write);
      BigQueryIO.Write<TableRow> load =
          BigQueryIO.writeTableRows()
              .to(destination.tableSpec())
              .withSchema(schema(table))
              .withCreateDisposition(BigQueryIO.Write.CreateDisposition.CREATE_IF_NEEDED)
              .withWriteDisposition(BigQueryIO.Write.WriteDisposition.WRITE_TRUNCATE)
              .withMethod(BigQueryIO.Write.Method.FILE_LOADS);
      if (destination.partitioning() != null) {
        load = load.withTimePartitioning(destination.partitioning());
      }
      if (testServices != null) {
        load = load.withTestServices(testServices).withoutValidation();
      }
      List<TableRow> rows = write.rows().stream().map(row -> tableRow(table, row)).toList();
      pipeline
          .apply("Rows_" + table.name(), Create.of(rows).withCoder(TableRowJsonCoder.of()))
          .apply("Load_" + table.name(), load);
    }
    StageRun.run(pipeline);
  }

  static TableSchema schema(WarehouseTable table) {
    return new TableSchema()
        .setFields(
            table.columns().stream()
                .map(
                    c ->
                        new TableFieldSchema()
                            .setName(c.name())
                            .setType(c.type().bigQuery())
                            .setMode(c.required() ? "REQUIRED" : "NULLABLE"))
                .toList());
  }

  /** BigQuery's JSON form: dates as YYYY-MM-DD, numbers and booleans as themselves. */
  private static TableRow tableRow(WarehouseTable table, List<Object> values) {
    TableRow row = new TableRow();
    for (int c = 0; c < values.size(); c++) {
      Object v = values.get(c);
      row.set(table.columns().get(c).name(), v instanceof LocalDate date ? date.toString() : v);
    }
    return row;
  }

  private static InvalidInputException queryError(RenderedSql sql, BigQueryApi.QueryError e) {
    return new InvalidInputException(
        "template "
            + sql.template()
            + " does not run on BigQuery ("
            + e.getMessage()
            + "): fix the template",
        e);
  }
}
