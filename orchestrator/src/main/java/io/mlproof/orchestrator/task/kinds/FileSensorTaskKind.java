package io.mlproof.orchestrator.task.kinds;

import io.mlproof.orchestrator.airflow.AirflowContext;
import io.mlproof.orchestrator.airflow.AirflowOperator;
import io.mlproof.orchestrator.dag.TaskConfig;
import io.mlproof.orchestrator.dag.TaskContext;
import io.mlproof.orchestrator.dag.TaskKind;
import io.mlproof.orchestrator.dag.TaskResult;
import io.mlproof.orchestrator.dag.TaskSpec;
import io.mlproof.orchestrator.template.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * {@code kind: file_sensor}: waits until a path (or glob; local or {@code gs://}) exists, checking
 * every {@code poke_interval} (Airflow's FileSensor in poke mode). Point it at another run's {@code
 * manifest.json} to wait for a complete output. After {@code timeout} it fails without retry, or is
 * skipped with {@code soft_fail: true}.
 */
public final class FileSensorTaskKind implements TaskKind {

  @Override
  public String name() {
    return "file_sensor";
  }

  @Override
  public Map<String, String> keys() {
    return SensorSettings.keysWith(Map.of("path", "the path or glob to wait for (a template)"));
  }

  @Override
  public TaskSpec parse(TaskConfig config) {
    Optional<Template> path = config.template("path", true);
    SensorSettings sensor = SensorSettings.parse(config);
    return path.map(p -> new FileSensor(p, sensor)).orElse(null);
  }

  record FileSensor(Template path, SensorSettings sensor) implements TaskSpec {

    @Override
    public List<Template> templates() {
      return List.of(path);
    }

    @Override
    public List<String> describe(TaskContext context) {
      return List.of("wait for " + context.render(path) + " " + sensor.describe());
    }

    @Override
    public TaskResult execute(TaskContext context) throws InterruptedException {
      String target = context.render(path);
      return sensor.poke(context, target, () -> exists(target));
    }

    private static boolean exists(String target) {
      boolean glob = target.contains("*") || target.contains("?") || target.contains("[");
      if (!glob && !target.contains("://")) {
        return Files.exists(Path.of(target));
      }
      try {
        PipelineTaskKind.BeamFileSystems.ensureRegisteredFor(target);
        MatchResult match = FileSystems.match(target, EmptyMatchTreatment.ALLOW);
        return match.status() == MatchResult.Status.OK && !match.metadata().isEmpty();
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public AirflowOperator toAirflow(AirflowContext context) {
      Map<String, String> kwargs = new LinkedHashMap<>();
      kwargs.put("filepath", context.string(path));
      sensor.putAirflowKwargs(kwargs);
      return new AirflowOperator("airflow.sensors.filesystem", "FileSensor", kwargs);
    }
  }
}
