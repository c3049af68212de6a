package io.mlproof.orchestrator.task.kinds;

import io.mlproof.orchestrator.airflow.AirflowContext;
import io.mlproof.orchestrator.airflow.AirflowOperator;
import io.mlproof.orchestrator.airflow.Py;
import io.mlproof.orchestrator.dag.TaskConfig;
import io.mlproof.orchestrator.dag.TaskContext;
import io.mlproof.orchestrator.dag.TaskKind;
import io.mlproof.orchestrator.dag.TaskResult;
import io.mlproof.orchestrator.dag.TaskSpec;
import io.mlproof.orchestrator.template.Template;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.sql.RenderedSql;
import io.mlproof.pipelines.sql.SqlTemplate;
import io.mlproof.pipelines.warehouse.Warehouse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code kind: sql_sensor}: waits until a query on the warehouse returns a true value in its first
 * row and column (Airflow's SqlSensor), e.g. until the day's partition has landed: {@code SELECT
 * count(*) > 0 FROM {{ table('events') }} WHERE event_at >= {{ data_interval_start }}}.
 *
 * <p>The {@code sql} is rendered by mlproof's strict SQL renderer, not the DAG's string templates:
 * dates and params become typed SQL literals and tables checked identifiers, so a {@code --conf}
 * value can never change the query's shape. A query that cannot run (bad template, missing table)
 * fails without retry; a false, zero, NULL or empty answer means "not yet".
 */
public final class SqlSensorTaskKind implements TaskKind {

  @Override
  public String name() {
    return "sql_sensor";
  }

  @Override
  public Map<String, String> keys() {
    return SensorSettings.keysWith(
        Map.of(
            "warehouse", "duckdb:<file> or bigquery:<project>.<dataset> (a template)",
            "sql",
                "the query; true when its first value is true or non-zero (mlproof SQL template)"));
  }

  @Override
  public TaskSpec parse(TaskConfig config) {
    Optional<Template> warehouse = config.template("warehouse", true);
    Optional<String> sql = config.string("sql", true);
    SensorSettings sensor = SensorSettings.parse(config);
    if (warehouse.isEmpty() || sql.isEmpty()) {
      return null;
    }
    return new SqlSensor(config.taskId(), warehouse.get(), sql.get(), sensor);
  }

  record SqlSensor(String taskId, Template warehouse, String sql, SensorSettings sensor)
      implements TaskSpec {

    @Override
    public List<Template> templates() {
      return List.of(warehouse);
    }

    @Override
    public List<String> describe(TaskContext context) {
      return List.of(
          "wait on "
              + context.render(warehouse)
              + " until: "
              + sql.strip()
              + ", "
              + sensor.describe());
    }

    @Override
    public TaskResult execute(TaskContext context) throws InterruptedException {
      Warehouse target;
      RenderedSql query;
      try {
        target = Warehouse.parse(context.render(warehouse));
        query =
            target.render(SqlTemplate.inline("task " + taskId + " sql", sql), context.sqlContext());
        target.checkAvailable();
      } catch (InvalidInputException e) {
        return TaskResult.failedNoRetry(e.getMessage());
      }
      try {
        return sensor.poke(
            context, "`" + query.sql().strip() + "`", () -> isTrue(target.queryScalar(query)));
      } catch (InvalidInputException e) {
        return TaskResult.failedNoRetry(e.getMessage());
      }
    }

    static boolean isTrue(Object value) {
      if (value instanceof Boolean b) {
        return b;
      }
      if (value instanceof Number n) {
        return n.doubleValue() != 0;
      }
      return value != null && !value.toString().isEmpty();
    }

    @Override
    public AirflowOperator toAirflow(AirflowContext context) {
      // Airflow renders the sql with its own Jinja: {{ ds }} and {{ params.x }} carry over;
      // mlproof's {{ table('x') }} does not (write qualified names in DAGs meant for export).
      Map<String, String> kwargs = new LinkedHashMap<>();
      kwargs.put("conn_id", Py.str("mlproof_warehouse"));
      kwargs.put("sql", Py.str(sql));
      sensor.putAirflowKwargs(kwargs);
      return new AirflowOperator("airflow.providers.common.sql.sensors.sql", "SqlSensor", kwargs);
    }
  }
}
