package io.mlproof.orchestrator.state;

import java.time.LocalDate;
import java.util.Optional;

/**
 * The lock of one (dag, date), held by this process until {@link #close()}. A process that dies
 * without closing it leaves the row behind; the next process sees the owner is dead and takes over.
 *
 * @param takenOverFrom the dead process the lock was taken from, if any
 */
public record RunLock(
    StateStore store,
    String dagId,
    LocalDate date,
    ProcessIdentity owner,
    Optional<ProcessIdentity> takenOverFrom)
    implements AutoCloseable {

  @Override
  public void close() {
    store.unlock(dagId, date, owner);
  }
}
