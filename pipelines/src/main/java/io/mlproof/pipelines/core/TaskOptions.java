package io.mlproof.pipelines.core;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * Options every mlproof pipeline shares: where its output goes and which DAG task it is. Each
 * pipeline's own options interface extends this group.
 */
public interface TaskOptions extends PipelineOptions {

  @Description(
      "Task output directory (local path or gs://...). Written atomically: files are staged, then"
          + " committed with manifest.json last; a directory without a manifest is incomplete.")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("DAG id recorded in the manifest; set by the scheduler.")
  @Default.String("adhoc")
  String getDagId();

  void setDagId(String value);

  @Description("Task id recorded in the manifest; set by the scheduler.")
  @Default.String("adhoc")
  String getTaskId();

  void setTaskId(String value);
}
