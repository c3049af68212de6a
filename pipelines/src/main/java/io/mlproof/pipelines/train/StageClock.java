package io.mlproof.pipelines.train;

import java.util.LinkedHashMap;
import java.util.Map;

/** Wall time of a stage's steps, recorded in the manifest so benchmarks and people can read it. */
public final class StageClock {
  private final Map<String, Long> nanos = new LinkedHashMap<>();
  private long start = System.nanoTime();
  private long credited;

  /**
   * Ends the step {@code name} (started at the previous lap, less what {@link #record} credited to
   * other steps in between) and starts the next.
   */
  public void lap(String name) {
    long now = System.nanoTime();
    nanos.merge(name, now - start - credited, Long::sum);
    start = now;
    credited = 0;
  }

  /** Credits a duration measured inside the current step (e.g. by the trainer) to its own step. */
  public void record(String name, long durationNanos) {
    nanos.merge(name, durationNanos, Long::sum);
    credited += durationNanos;
  }

  public Map<String, Long> nanos() {
    return Map.copyOf(nanos);
  }

  /** {@code timing_ms.<step>} attributes for the manifest, in step order. */
  public Map<String, String> attributes() {
    Map<String, String> out = new LinkedHashMap<>();
    nanos.forEach((k, v) -> out.put("timing_ms." + k, Long.toString(v / 1_000_000)));
    return out;
  }
}
