package io.mlproof.orchestrator.load;

import io.mlproof.orchestrator.core.Location;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads one YAML file into a node tree within limits a hostile or broken file cannot get past: a
 * size checked before any parsing (parse time grows faster than the size), and a nesting depth
 * checked on the parser's event stream before the (recursive) composer builds the tree, so a {@code
 * [[[[...} file is one error instead of a StackOverflowError.
 */
final class YamlFiles {

  /** Largest DAG file read: the shipped DAGs are under 4 KiB; 1 MiB leaves room and parses fast. */
  static final long MAX_BYTES = 1L << 20;

  /** Deepest nesting of lists and mappings: a DAG file needs 5 levels (tasks, options, a list). */
  static final int MAX_DEPTH = 50;

  private YamlFiles() {}

  /** The file's root node, or empty with every problem added. */
  static Optional<Node> compose(Path file, Problems problems) {
    Location start = Location.of(file.toString());
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        problems.add(
            start,
            "the file is "
                + size
                + " bytes, over the limit of "
                + MAX_BYTES
                + " bytes for a DAG file: split it or remove what is not needed");
        return Optional.empty();
      }
    } catch (IOException e) {
      problems.add(start, "cannot read the file: " + e.getMessage());
      return Optional.empty();
    }
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(file.toString())
            .setSchema(new CoreSchema())
            .setAllowDuplicateKeys(false)
            .setCodePointLimit((int) MAX_BYTES)
            .setMaxAliasesForCollections(50)
            .build();
    try {
      Optional<Location> tooDeep = tooDeep(file, settings);
      if (tooDeep.isPresent()) {
        problems.add(
            tooDeep.get(),
            "lists and mappings"
                + " are nested more than "
                + MAX_DEPTH
                + " levels deep: a DAG file needs a handful (tasks,"
                + " options, a list value)");
        return Optional.empty();
      }
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        Optional<Node> root = new Compose(settings).composeReader(reader);
        if (root.isEmpty()) {
          problems.add(start, "the file is empty");
        }
        return root;
      }
    } catch (MarkedYamlEngineException e) {
      Location at =
          e.getProblemMark()
              .map(m -> new Location(file.toString(), m.getLine() + 1, m.getColumn() + 1))
              .orElse(start);
      problems.add(
          at,
          "invalid YAML: "
              + e.getProblem()
              + (e.getContext() == null || e.getContext().isEmpty()
                  ? ""
                  : " (" + e.getContext() + ")"));
    } catch (YamlEngineException e) {
      problems.add(start, "invalid YAML: " + e.getMessage());
    } catch (IOException | java.io.UncheckedIOException e) {
      problems.add(start, "cannot read the file: " + e.getMessage());
    }
    return Optional.empty();
  }

  /** Where the nesting first goes deeper than {@link #MAX_DEPTH}, if it does. */
  private static Optional<Location> tooDeep(Path file, LoadSettings settings) throws IOException {
    int depth = 0;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (Event event : new Parse(settings).parseReader(reader)) {
        switch (event.getEventId()) {
          case SequenceStart, MappingStart -> {
            if (++depth > MAX_DEPTH) {
              return Optional.of(
                  event
                      .getStartMark()
                      .map(m -> new Location(file.toString(), m.getLine() + 1, m.getColumn() + 1))
                      .orElse(Location.of(file.toString())));
            }
          }
          case SequenceEnd, MappingEnd -> depth--;
          default -> {}
        }
      }
    }
    return Optional.empty();
  }
}
