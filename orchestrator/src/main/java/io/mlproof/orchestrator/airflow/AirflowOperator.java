package io.mlproof.orchestrator.airflow;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One operator call in a generated Airflow DAG: {@code from <module> import <className>} and {@code
 * <className>(task_id=..., <kwargs>)}. Values are Python source (see {@link Py}).
 */
public record AirflowOperator(String module, String className, Map<String, String> kwargs) {

  public AirflowOperator {
    kwargs = Collections.unmodifiableMap(new LinkedHashMap<>(kwargs));
  }
}
