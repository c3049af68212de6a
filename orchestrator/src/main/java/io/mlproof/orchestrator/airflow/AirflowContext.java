package io.mlproof.orchestrator.airflow;

import io.mlproof.orchestrator.core.RunnerSpec;
import io.mlproof.orchestrator.template.Template;

/** What a task kind needs to write its Airflow operator. Every method returns Python source. */
public interface AirflowContext {

  /**
   * Python names of the bundled Flink jar and the Flink master (Airflow Variables), for flink DAGs.
   */
  String FLINK_JAR = "MLPROOF_FLINK_JAR";

  String FLINK_MASTER = "FLINK_MASTER";

  String dagId();

  String taskId();

  /** A Python string that Airflow's Jinja renders to what {@code template} renders to here. */
  String string(Template template);

  /** The task's output directory in the run being rendered. */
  String outputDir();

  /** The JSON object of the DAG's params, rendered by Airflow ({@code --params}). */
  String paramsJson();

  /** The path of the mlproof jar (an Airflow Variable with a default). */
  String jar();

  RunnerSpec runner();
}
