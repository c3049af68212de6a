package io.mlproof.orchestrator.load;

import io.mlproof.orchestrator.core.Location;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** A YAML mapping with string keys, each key and value kept as nodes for their locations. */
final class YamlMap {
  static final YamlMap EMPTY = new YamlMap(null, new LinkedHashMap<>());

  private final Node node;
  private final Map<String, NodeTuple> entries;

  private YamlMap(Node node, Map<String, NodeTuple> entries) {
    this.node = node;
    this.entries = entries;
  }

  /** {@code node} as a mapping; reports an error and returns an empty one if it is not. */
  static YamlMap of(Node node, String what, Problems problems) {
    if (!(node instanceof MappingNode mapping)) {
      problems.add(Nodes.at(node), what + " must be a mapping (key: value lines)");
      return EMPTY;
    }
    Map<String, NodeTuple> entries = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
        problems.add(Nodes.at(tuple.getKeyNode()), "keys of " + what + " must be plain names");
        continue;
      }
      NodeTuple previous = entries.putIfAbsent(key.getValue(), tuple);
      if (previous != null) {
        problems.add(
            Nodes.at(key),
            "duplicate key '"
                + key.getValue()
                + "' in "
                + what
                + " (first at line "
                + Nodes.at(previous.getKeyNode()).line()
                + ")");
      }
    }
    return new YamlMap(node, entries);
  }

  boolean isPresent() {
    return node != null;
  }

  Location location(Location fallback) {
    return node == null ? fallback : Nodes.at(node);
  }

  Collection<String> keys() {
    return entries.keySet();
  }

  Optional<Node> value(String key) {
    return Optional.ofNullable(entries.get(key)).map(NodeTuple::getValueNode);
  }

  Optional<Node> keyNode(String key) {
    return Optional.ofNullable(entries.get(key)).map(NodeTuple::getKeyNode);
  }

  Map<String, NodeTuple> entries() {
    return entries;
  }

  /**
   * Reports every key not in {@code allowed}, with the closest valid key and the list of valid
   * ones. {@code hint} may add a kind-specific note for a key (e.g. which task kind has it).
   */
  void checkKeys(
      Set<String> allowed,
      String where,
      Problems problems,
      java.util.function.Function<String, String> hint) {
    for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
      if (!allowed.contains(e.getKey())) {
        problems.add(
            Nodes.at(e.getValue().getKeyNode()),
            "unknown key '"
                + e.getKey()
                + "' in "
                + where
                + Suggest.didYouMean(e.getKey(), allowed)
                + hint.apply(e.getKey())
                + ": valid keys are "
                + String.join(", ", allowed));
      }
    }
  }

  void checkKeys(Set<String> allowed, String where, Problems problems) {
    checkKeys(allowed, where, problems, k -> "");
  }
}
