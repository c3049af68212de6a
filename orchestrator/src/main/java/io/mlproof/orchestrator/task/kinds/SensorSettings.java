package io.mlproof.orchestrator.task.kinds;

import io.mlproof.orchestrator.airflow.Py;
import io.mlproof.orchestrator.core.Durations;
import io.mlproof.orchestrator.dag.TaskConfig;
import io.mlproof.orchestrator.dag.TaskContext;
import io.mlproof.orchestrator.dag.TaskResult;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * What every sensor shares (Airflow's sensors in poke mode): the {@code poke_interval}, {@code
 * timeout} and {@code soft_fail} keys, and the poke loop: check, then wait one poke interval, until
 * the check passes, the sensor's timeout passes (fail without retry, or skip with {@code
 * soft_fail}) or the task's {@code execution_timeout} passes (fail).
 */
record SensorSettings(Duration pokeInterval, Duration timeout, boolean softFail) {

  static final Duration DEFAULT_POKE_INTERVAL = Duration.ofSeconds(60);
  static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

  /** A sensor kind's own keys plus the shared ones, for {@code TaskKind.keys()}. */
  static Map<String, String> keysWith(Map<String, String> own) {
    Map<String, String> keys = new LinkedHashMap<>(own);
    keys.put("poke_interval", "time between checks (default 60s)");
    keys.put("timeout", "how long to wait in all (default 1h)");
    keys.put("soft_fail", "skip instead of failing at the timeout (default false)");
    return keys;
  }

  static SensorSettings parse(TaskConfig config) {
    Duration poke = config.duration("poke_interval").orElse(DEFAULT_POKE_INTERVAL);
    if (poke.isZero()) {
      config.error(
          config.locationOf("poke_interval"),
          "task '" + config.taskId() + "': poke_interval must be more than 0s");
    }
    return new SensorSettings(
        poke,
        config.duration("timeout").orElse(DEFAULT_TIMEOUT),
        config.bool("soft_fail").orElse(false));
  }

  /** e.g. "every 60s for 1h (skip at timeout)". */
  String describe() {
    return "every "
        + Durations.format(pokeInterval)
        + " for "
        + Durations.format(timeout)
        + (softFail ? " (skip at timeout)" : "");
  }

  /**
   * The same settings as Airflow sensor arguments, in reschedule mode (no worker slot held while
   * waiting).
   */
  void putAirflowKwargs(Map<String, String> kwargs) {
    kwargs.put("poke_interval", String.valueOf(Math.max(1, pokeInterval.toSeconds())));
    kwargs.put("timeout", String.valueOf(timeout.toSeconds()));
    kwargs.put("soft_fail", Py.bool(softFail));
    kwargs.put("mode", Py.str("reschedule"));
  }

  TaskResult poke(TaskContext context, String what, BooleanSupplier check)
      throws InterruptedException {
    Instant sensorDeadline = Instant.now().plus(timeout);
    while (true) {
      if (check.getAsBoolean()) {
        return TaskResult.success();
      }
      Instant now = Instant.now();
      if (context.deadline().isPresent() && !now.isBefore(context.deadline().get())) {
        return TaskResult.failed("timed out (execution_timeout) waiting for " + what);
      }
      if (!now.isBefore(sensorDeadline)) {
        String why = "sensor timed out after " + Durations.format(timeout) + " waiting for " + what;
        return softFail ? TaskResult.skipped(why) : TaskResult.failedNoRetry(why);
      }
      Instant wakeUp = now.plus(pokeInterval);
      wakeUp = wakeUp.isAfter(sensorDeadline) ? sensorDeadline : wakeUp;
      if (context.deadline().isPresent() && wakeUp.isAfter(context.deadline().get())) {
        wakeUp = context.deadline().get();
      }
      // Poking on an interval is what a sensor does: the wait is the behaviour, not a
      // synchronisation.
      Thread.sleep(Math.max(1, Duration.between(now, wakeUp).toMillis()));
    }
  }
}
