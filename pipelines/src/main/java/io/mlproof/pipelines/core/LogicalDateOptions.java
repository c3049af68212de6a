package io.mlproof.pipelines.core;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Airflow's notion of time for a run: the logical date and the data interval it covers, plus the
 * DAG's {@code params}. Templates see them as {@code {{ ds }}}, {@code {{ data_interval_start }}},
 * {@code {{ data_interval_end }}} and {@code {{ params.x }}}.
 */
public interface LogicalDateOptions extends PipelineOptions {

  @Description("Logical date of the run (YYYY-MM-DD), Airflow's {{ ds }}.")
  String getLogicalDate();

  void setLogicalDate(String value);

  @Description(
      "Start of the data interval (YYYY-MM-DD or ISO-8601 instant, inclusive). Defaults to the"
          + " logical date.")
  String getDataIntervalStart();

  void setDataIntervalStart(String value);

  @Description(
      "End of the data interval (YYYY-MM-DD or ISO-8601 instant, exclusive). Defaults to the day"
          + " after the data interval start.")
  String getDataIntervalEnd();

  void setDataIntervalEnd(String value);

  @Description("Template params as a JSON object, e.g. {\"lookback_days\": 90}: {{ params.x }}.")
  @Default.String("{}")
  String getParams();

  void setParams(String value);
}
