package io.mlproof.orchestrator.dag;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The registered task kinds, found through {@link ServiceLoader}. */
public final class TaskKinds {

  private TaskKinds() {}

  /** Every registered kind by name, sorted. */
  public static Map<String, TaskKind> all() {
    Map<String, TaskKind> byName = new TreeMap<>();
    for (TaskKind kind : ServiceLoader.load(TaskKind.class)) {
      TaskKind previous = byName.put(kind.name(), kind);
      if (previous != null) {
        throw new IllegalStateException(
            "two task kinds registered as '"
                + kind.name()
                + "': "
                + previous.getClass().getName()
                + " and "
                + kind.getClass().getName());
      }
    }
    return byName;
  }
}
