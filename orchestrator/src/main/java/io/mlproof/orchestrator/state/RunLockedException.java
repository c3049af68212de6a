package io.mlproof.orchestrator.state;

import io.mlproof.pipelines.core.RunFailedException;

/**
 * Another live process runs the same (dag, date). Not the user's input at fault, so exit code 1: a
 * scheduler may try again later.
 */
public final class RunLockedException extends RunFailedException {
  private static final long serialVersionUID = 1L;

  public RunLockedException(String message) {
    super(message);
  }
}
