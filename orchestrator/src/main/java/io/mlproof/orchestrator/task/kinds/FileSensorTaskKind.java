package io.mlproof.orchestrator.task.kinds;

import io.mlproof.orchestrator.airflow.AirflowContext;
import io.mlproof.orchestrator.airflow.AirflowOperator;
import io.mlproof.orchestrator.airflow.Py;
import io.mlproof.orchestrator.dag.Durations;
import io.mlproof.orchestrator.task.TaskConfig;
import io.mlproof.orchestrator.task.TaskContext;
import io.mlproof.orchestrator.task.TaskKind;
import io.mlproof.orchestrator.task.TaskResult;
import io.mlproof.orchestrator.task.TaskSpec;
import io.mlproof.orchestrator.template.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * {@code kind: file_sensor}: waits until a path (or glob; local or {@code gs://}) exists, checking
 * every {@code poke_interval} (Airflow's FileSensor in poke mode). Point it at another run's
 * {@code manifest.json} to wait for a complete output. After {@code timeout} it fails without
 * retry, or is skipped with {@code soft_fail: true}.
 */
public final class FileSensorTaskKind implements TaskKind {

  static final Duration DEFAULT_POKE_INTERVAL = Duration.ofSeconds(60);
  static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

  @Override
  public String name() {
    return "file_sensor";
  }

  @Override
  public Map<String, String> keys() {
    return Map.of(
        "path", "the path or glob to wait for (a template)",
        "poke_interval", "time between checks (default 60s)",
        "timeout", "how long to wait in all (default 1h)",
        "soft_fail", "skip instead of failing at the timeout (default false)");
  }

  @Override
  public TaskSpec parse(TaskConfig config) {
    Optional<Template> path = config.template("path", true);
    Duration poke = config.duration("poke_interval").orElse(DEFAULT_POKE_INTERVAL);
    Duration timeout = config.duration("timeout").orElse(DEFAULT_TIMEOUT);
    boolean softFail = config.bool("soft_fail").orElse(false);
    if (poke.isZero()) {
      config.error(config.locationOf("poke_interval"), "task '" + config.taskId()
          + "': poke_interval must be more than 0s");
    }
    return path.map(p -> new FileSensor(p, poke, timeout, softFail)).orElse(null);
  }

  record FileSensor(Template path, Duration pokeInterval, Duration timeout, boolean softFail) implements TaskSpec {

    @Override
    public List<Template> templates() {
      return List.of(path);
    }

    @Override
    public List<String> describe(TaskContext context) {
      return List.of("wait for " + context.render(path) + " every " + Durations.format(pokeInterval) + " for "
          + Durations.format(timeout)
          + (softFail ? " (skip at timeout)" : ""));
    }

    @Override
    public TaskResult execute(TaskContext context) throws InterruptedException {
      String target = context.render(path);
      return SensorLoop.poke(context, pokeInterval, timeout, softFail, target, () -> exists(target));
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
      kwargs.put("poke_interval", String.valueOf(Math.max(1, pokeInterval.toSeconds())));
      kwargs.put("timeout", String.valueOf(timeout.toSeconds()));
      kwargs.put("soft_fail", Py.bool(softFail));
      kwargs.put("mode", Py.str("reschedule"));
      return new AirflowOperator("airflow.sensors.filesystem", "FileSensor", kwargs);
    }
  }
}
