package io.mlproof.orchestrator.load;

import io.mlproof.orchestrator.core.Location;

/** One problem in a DAG definition, printed as {@code file:line:column: message}. */
public record DefinitionError(Location location, String message) {

  @Override
  public String toString() {
    return location + ": " + message;
  }
}
