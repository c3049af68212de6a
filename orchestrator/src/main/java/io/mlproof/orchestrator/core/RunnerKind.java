package io.mlproof.orchestrator.core;

import java.util.Locale;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptions;

/** The Beam runners a DAG may use, with the options interface their options are checked against. */
public enum RunnerKind {
  DIRECT("DirectRunner", DirectOptions.class),
  FLINK("FlinkRunner", FlinkPipelineOptions.class);

  private final String beamName;
  private final Class<? extends PipelineOptions> optionsClass;

  RunnerKind(String beamName, Class<? extends PipelineOptions> optionsClass) {
    this.beamName = beamName;
    this.optionsClass = optionsClass;
  }

  /** The value of Beam's {@code --runner}. */
  public String beamName() {
    return beamName;
  }

  public Class<? extends PipelineOptions> optionsClass() {
    return optionsClass;
  }

  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
