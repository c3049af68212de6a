package io.mlproof.orchestrator.task;

/**
 * Told about every process a task starts, so the scheduler can record its pid (a later run kills
 * it if this scheduler dies) and kill it on shutdown.
 */
public interface ProcessWatcher {

  ProcessWatcher NONE = new ProcessWatcher() {
    @Override
    public void started(ProcessHandle process) {}

    @Override
    public void ended(ProcessHandle process) {}
  };

  void started(ProcessHandle process);

  void ended(ProcessHandle process);
}
