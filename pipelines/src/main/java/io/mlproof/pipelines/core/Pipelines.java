package io.mlproof.pipelines.core;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The registered pipelines, found through {@link ServiceLoader}. */
public final class Pipelines {

  private Pipelines() {}

  /** Every registered pipeline by name, sorted. */
  public static Map<String, MlproofPipeline> all() {
    Map<String, MlproofPipeline> byName = new TreeMap<>();
    for (MlproofPipeline pipeline : ServiceLoader.load(MlproofPipeline.class)) {
      MlproofPipeline previous = byName.put(pipeline.name(), pipeline);
      if (previous != null) {
        throw new IllegalStateException(
            "two pipelines registered as '"
                + pipeline.name()
                + "': "
                + previous.getClass().getName()
                + " and "
                + pipeline.getClass().getName());
      }
    }
    return byName;
  }

  /** The pipeline called {@code name}, or a one-line error listing the valid names. */
  public static MlproofPipeline get(String name) {
    Map<String, MlproofPipeline> all = all();
    MlproofPipeline pipeline = all.get(name);
    if (pipeline == null) {
      throw new InvalidInputException(
          "unknown pipeline '" + name + "': use one of " + String.join(", ", all.keySet()));
    }
    return pipeline;
  }
}
