package io.mlproof.orchestrator.task;

import io.mlproof.orchestrator.flink.FlinkJob;

/**
 * Told about every process a task starts, so the scheduler can record its pid (a later run kills it
 * if this scheduler dies) and kill it on shutdown.
 */
public interface ProcessWatcher {

  ProcessWatcher NONE =
      new ProcessWatcher() {
        @Override
        public void started(ProcessHandle process) {}

        @Override
        public void ended(ProcessHandle process) {}
      };

  void started(ProcessHandle process);

  void ended(ProcessHandle process);

  /**
   * The task runs as a thread of {@code process}, which outlives this run (a Flink cluster's task
   * client): recorded so that a later run stops it if this scheduler dies while the task runs, but
   * not stopped at this scheduler's shutdown, as other runs' tasks may run in it.
   */
  default void runsInShared(ProcessHandle process) {}

  /**
   * A task is about to submit {@code job} to a Flink cluster, where it would outlive the task's
   * processes: the scheduler cancels it on shutdown until {@link #jobSettled}.
   */
  default void jobSubmitting(FlinkJob job) {}

  /** The task's client has ended, and so has its job (it finished, or the task cancelled it). */
  default void jobSettled(FlinkJob job) {}
}
