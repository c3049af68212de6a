package io.mlproof.orchestrator.task.kinds;

import io.mlproof.orchestrator.dag.Durations;
import io.mlproof.orchestrator.task.TaskContext;
import io.mlproof.orchestrator.task.TaskResult;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * The poke loop every sensor shares (Airflow's sensors in poke mode): check, then wait one poke
 * interval, until the check passes, the sensor's {@code timeout} passes (fail without retry, or
 * skip with {@code soft_fail}) or the task's {@code execution_timeout} passes (fail).
 */
final class SensorLoop {

  private SensorLoop() {}

  static TaskResult poke(TaskContext context, Duration pokeInterval, Duration timeout, boolean softFail,
      String what, BooleanSupplier check) throws InterruptedException {
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
      // Poking on an interval is what a sensor does: the wait is the behaviour, not a synchronisation.
      Thread.sleep(Math.max(1, Duration.between(now, wakeUp).toMillis()));
    }
  }
}
