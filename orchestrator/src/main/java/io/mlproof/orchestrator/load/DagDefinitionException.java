package io.mlproof.orchestrator.load;

import io.mlproof.pipelines.core.InvalidInputException;
import java.util.List;
import java.util.stream.Collectors;

/** A DAG that did not load: every error found, one per line (exit code 2). */
public final class DagDefinitionException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  private final transient List<DefinitionError> errors;

  public DagDefinitionException(List<DefinitionError> errors) {
    super(errors.stream().map(DefinitionError::toString).collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
  }

  public List<DefinitionError> errors() {
    return errors;
  }
}
