package io.mlproof.orchestrator.load;

import io.mlproof.orchestrator.core.Location;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The errors found while loading one file, reported together, in file order. */
final class Problems {
  private final List<DefinitionError> errors = new ArrayList<>();

  void add(Location at, String message) {
    errors.add(new DefinitionError(at, message));
  }

  void addAll(List<DefinitionError> more) {
    errors.addAll(more);
  }

  boolean isEmpty() {
    return errors.isEmpty();
  }

  List<DefinitionError> sorted() {
    return errors.stream()
        .sorted(
            Comparator.comparing((DefinitionError e) -> e.location().file())
                .thenComparingInt(e -> e.location().line())
                .thenComparingInt(e -> e.location().column()))
        .distinct()
        .toList();
  }
}
