package io.mlproof.pipelines.warehouse;

import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.DatasetId;
import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FieldValue;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.Job;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.JobStatistics;
import com.google.cloud.bigquery.LegacySQLTypeName;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.Table;
import com.google.cloud.bigquery.TableResult;
import io.mlproof.pipelines.core.InvalidInputException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * {@link BigQueryApi} on the google-cloud-bigquery client, authenticated with Application Default
 * Credentials ({@code gcloud auth application-default login}, or a service account on a worker).
 * Jobs are billed to {@code billingProject}; tables are read from {@code project.dataset}.
 */
public final class CloudBigQueryApi implements BigQueryApi {

  private final String billingProject;
  private final DatasetId dataset;
  private BigQuery client;

  public CloudBigQueryApi(String billingProject, String project, String dataset) {
    this.billingProject = billingProject;
    this.dataset = DatasetId.of(project, dataset);
  }

  @Override
  public void checkDataset() {
    try {
      if (client().getDataset(dataset) == null) {
        throw unreachable("the dataset does not exist");
      }
    } catch (BigQueryException e) {
      throw unreachable(oneLine(e));
    }
  }

  @Override
  public List<String> tableNames() {
    List<String> names = new ArrayList<>();
    try {
      for (Table table : client().listTables(dataset).iterateAll()) {
        names.add(table.getTableId().getTable());
      }
    } catch (BigQueryException e) {
      throw unreachable(oneLine(e));
    }
    return names;
  }

  @Override
  public DryRun dryRun(String sql) {
    QueryJobConfiguration config =
        QueryJobConfiguration.newBuilder(sql)
            .setDryRun(true)
            .setUseQueryCache(false)
            .setUseLegacySql(false)
            .build();
    try {
      Job job = client().create(JobInfo.of(config));
      JobStatistics.QueryStatistics statistics = job.getStatistics();
      List<SqlColumn> columns = new ArrayList<>();
      Schema schema = statistics.getSchema();
      if (schema != null) {
        for (Field field : schema.getFields()) {
          columns.add(new SqlColumn(field.getName(), field.getType().name()));
        }
      }
      Long bytes = statistics.getTotalBytesProcessed();
      return new DryRun(
          Dialect.BIGQUERY,
          columns,
          bytes == null ? OptionalLong.empty() : OptionalLong.of(bytes),
          "dry-run job: " + (bytes == null ? "unknown" : bytes) + " bytes processed");
    } catch (BigQueryException e) {
      throw new QueryError(oneLine(e), e);
    }
  }

  @Override
  public List<ResultRow> query(String sql, int maxRows) {
    QueryJobConfiguration config =
        QueryJobConfiguration.newBuilder(sql).setUseLegacySql(false).build();
    try {
      TableResult result = client().query(config);
      List<String> names = new ArrayList<>();
      for (Field field : result.getSchema().getFields()) {
        names.add(field.getName());
      }
      List<ResultRow> rows = new ArrayList<>();
      for (FieldValueList row : result.iterateAll()) {
        List<Object> values = new ArrayList<>();
        for (Field field : result.getSchema().getFields()) {
          values.add(value(field, row.get(field.getName())));
        }
        rows.add(ResultRow.of(names, values));
        if (rows.size() > maxRows) {
          break;
        }
      }
      return rows;
    } catch (BigQueryException e) {
      throw new QueryError(oneLine(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for BigQuery", e);
    }
  }

  private static Object value(Field field, FieldValue value) {
    if (value.isNull()) {
      return null;
    }
    LegacySQLTypeName type = field.getType();
    if (type == LegacySQLTypeName.INTEGER) {
      return value.getLongValue();
    } else if (type == LegacySQLTypeName.FLOAT) {
      return value.getDoubleValue();
    } else if (type == LegacySQLTypeName.NUMERIC || type == LegacySQLTypeName.BIGNUMERIC) {
      return value.getNumericValue();
    } else if (type == LegacySQLTypeName.BOOLEAN) {
      return value.getBooleanValue();
    } else if (type == LegacySQLTypeName.TIMESTAMP) {
      return SqlValues.fromMicros(value.getTimestampValue());
    } else if (type == LegacySQLTypeName.DATE) {
      return LocalDate.parse(value.getStringValue());
    }
    return value.getStringValue();
  }

  private synchronized BigQuery client() {
    if (client == null) {
      try {
        client = BigQueryOptions.newBuilder().setProjectId(billingProject).build().getService();
      } catch (RuntimeException e) {
        // No Application Default Credentials, or no project: nothing can be reached.
        throw unreachable(
            e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getMessage().lines().findFirst().orElse(""));
      }
    }
    return client;
  }

  private InvalidInputException unreachable(String reason) {
    return BigQueryApi.unreachable(dataset.getProject(), dataset.getDataset(), reason);
  }

  private static String oneLine(BigQueryException e) {
    String message = e.getMessage() == null ? "HTTP " + e.getCode() : e.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
