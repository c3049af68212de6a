package io.mlproof.pipelines.extract;

import io.mlproof.pipelines.core.LogicalDateOptions;
import io.mlproof.pipelines.core.TaskOptions;
import io.mlproof.pipelines.core.WarehouseOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code mlproof run extract}. */
public interface ExtractOptions extends TaskOptions, WarehouseOptions, LogicalDateOptions {

  @Description(
      "Records to produce: events, payments, users or entity_days (daily per-user rollup).")
  @Validation.Required
  RecordType getRecordType();

  void setRecordType(RecordType value);

  @Description(
      "SQL template: a bundled name (extract/events.sql) or a path to a .sql file; defaults to"
          + " extract/<recordType>.sql. <name>.<dialect>.sql (duckdb, bigquery) is preferred when it"
          + " exists. See docs/WAREHOUSE.md.")
  @Default.InstanceFactory(DefaultTemplate.class)
  String getTemplate();

  void setTemplate(String value);

  @Description(
      "Largest fraction of bad rows (dead letters) the run accepts, 0..1; above it the run fails and"
          + " nothing is committed.")
  @Default.Double(0.01)
  double getMaxBadFraction();

  void setMaxBadFraction(double value);

  @Description(
      "Render and check the query, print it with its columns and cost (BigQuery: bytes it would"
          + " scan; DuckDB: EXPLAIN), and stop without reading or writing anything.")
  @Default.Boolean(false)
  boolean getDryRun();

  void setDryRun(boolean value);

  @Description(
      "Also read this many whole days before the data interval start: the history that point-in-time"
          + " features and labels need (e.g. 180 for 90-day features at cutoffs up to 84 days back).")
  @Default.Integer(0)
  int getLookbackDays();

  void setLookbackDays(int value);

  @Description(
      "Read the query as this many disjoint parts (by a hash of user_id), in parallel on connections of"
          + " their own, each writing its own output shards; 1 reads it in one piece. A part's filter goes"
          + " where the template says {{ partition('user_id') }} (inside its scans), else around the whole"
          + " query. DuckDB only: BigQuery's Storage Read API splits a read into streams itself.")
  @Default.Integer(ExtractPlan.DEFAULT_READ_PARTITIONS)
  int getReadPartitions();

  void setReadPartitions(int value);

  /** {@code extract/<recordType>.sql}. */
  final class DefaultTemplate implements DefaultValueFactory<String> {
    @Override
    public String create(PipelineOptions options) {
      RecordType type = options.as(ExtractOptions.class).getRecordType();
      return type == null ? null : type.defaultTemplate();
    }
  }
}
