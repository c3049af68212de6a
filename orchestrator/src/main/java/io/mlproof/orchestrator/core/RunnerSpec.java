package io.mlproof.orchestrator.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The runner every pipeline task of a run uses, its Beam options (literal values, in order) and the
 * options of the JVM each pipeline task is forked into.
 */
public record RunnerSpec(RunnerKind kind, Map<String, String> options, List<String> jvmOptions) {

  public RunnerSpec {
    options = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
    jvmOptions = List.copyOf(jvmOptions);
  }

  /** {@code --runner=...} followed by every option as {@code --name=value}. */
  public List<String> arguments() {
    List<String> args = new ArrayList<>();
    args.add("--runner=" + kind.beamName());
    options.forEach((name, value) -> args.add("--" + name + "=" + value));
    return args;
  }
}
