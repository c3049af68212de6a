package io.mlproof.orchestrator.dag;

import java.util.Map;

/**
 * A kind of task ({@code kind:} in a DAG file): {@code pipeline}, {@code bash}, {@code empty},
 * {@code file_sensor}, ... Implementations register in {@code
 * META-INF/services/io.mlproof.orchestrator.dag.TaskKind}: one class and one line add a kind, with
 * no change to the loader, the scheduler or the Airflow export.
 */
public interface TaskKind {

  /** The value of {@code kind:}. */
  String name();

  /** The keys this kind adds to every task's common keys, each with a one-line description. */
  Map<String, String> keys();

  /**
   * Reads and checks this kind's keys. Every problem goes to {@link TaskConfig#error}; the returned
   * spec is only used when no error was reported.
   */
  TaskSpec parse(TaskConfig config);
}
