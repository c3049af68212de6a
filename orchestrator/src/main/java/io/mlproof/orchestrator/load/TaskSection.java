package io.mlproof.orchestrator.load;

import io.mlproof.orchestrator.core.Location;
import io.mlproof.orchestrator.dag.TaskConfig;
import io.mlproof.orchestrator.template.Template;
import io.mlproof.orchestrator.template.TemplateParser;
import io.mlproof.pipelines.core.MlproofPipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/** One task's mapping, read by its kind through {@link TaskConfig}. */
final class TaskSection implements TaskConfig {
  private final String taskId;
  private final YamlMap map;
  private final Location location;
  private final Problems problems;
  private final Map<String, MlproofPipeline> pipelines;

  TaskSection(
      String taskId,
      YamlMap map,
      Location location,
      Problems problems,
      Map<String, MlproofPipeline> pipelines) {
    this.taskId = taskId;
    this.map = map;
    this.location = location;
    this.problems = problems;
    this.pipelines = pipelines;
  }

  private String what(String key) {
    return "task '" + taskId + "': " + key;
  }

  @Override
  public String taskId() {
    return taskId;
  }

  @Override
  public Location location() {
    return location;
  }

  @Override
  public Location locationOf(String key) {
    return map.value(key).map(Nodes::at).orElse(location);
  }

  @Override
  public Optional<String> string(String key, boolean required) {
    Optional<Node> node = present(key, required);
    return node.flatMap(n -> Nodes.string(n, what(key), problems));
  }

  @Override
  public Optional<Template> template(String key, boolean required) {
    return present(key, required).flatMap(n -> template(n, what(key), problems));
  }

  @Override
  public Optional<Template> shellTemplate(String key, boolean required) {
    return present(key, required)
        .flatMap(n -> parsed(n, what(key), problems, TemplateParser::parseShell));
  }

  @Override
  public Map<String, Template> templates(String key) {
    Map<String, Template> templates = new LinkedHashMap<>();
    map.value(key)
        .ifPresent(
            node -> {
              YamlMap entries = YamlMap.of(node, what(key), problems);
              entries
                  .entries()
                  .forEach(
                      (name, tuple) ->
                          template(tuple.getValueNode(), what(key) + "." + name, problems)
                              .ifPresent(t -> templates.put(name, t)));
            });
    return templates;
  }

  @Override
  public Optional<Duration> duration(String key) {
    return map.value(key).flatMap(n -> Nodes.duration(n, what(key), problems));
  }

  @Override
  public Optional<Boolean> bool(String key) {
    return map.value(key).flatMap(n -> Nodes.bool(n, what(key), problems));
  }

  @Override
  public List<Option> options(String key) {
    List<Option> options = new ArrayList<>();
    Optional<Node> node = map.value(key);
    if (node.isEmpty() || Nodes.isNull(node.get())) {
      return options;
    }
    YamlMap entries = YamlMap.of(node.get(), what(key), problems);
    for (Map.Entry<String, NodeTuple> e : entries.entries().entrySet()) {
      Node value = e.getValue().getValueNode();
      String what = what(key) + "." + e.getKey();
      List<Template> values = new ArrayList<>();
      boolean list = value instanceof SequenceNode;
      List<Node> items = list ? ((SequenceNode) value).getValue() : List.of(value);
      for (Node item : items) {
        scalarTemplate(item, what, problems).ifPresent(values::add);
      }
      if (values.size() == items.size() && !values.isEmpty()) {
        options.add(
            new Option(
                e.getKey(), values, list, Nodes.at(e.getValue().getKeyNode()), Nodes.at(value)));
      } else if (items.isEmpty()) {
        problems.add(
            Nodes.at(value), what + " is an empty list: remove the option or give it values");
      }
    }
    return options;
  }

  @Override
  public Map<String, MlproofPipeline> pipelines() {
    return pipelines;
  }

  @Override
  public void error(Location at, String message) {
    problems.add(at, message);
  }

  private Optional<Node> present(String key, boolean required) {
    Optional<Node> node = map.value(key);
    if (node.isEmpty() && required) {
      problems.add(location, "task '" + taskId + "' is missing '" + key + "'");
    }
    return node;
  }

  /** A string scalar as a template; numbers and booleans as literal templates. */
  static Optional<Template> scalarTemplate(Node node, String what, Problems problems) {
    if (node instanceof ScalarNode scalar && !Nodes.isNull(node)) {
      if (node.getTag().equals(Tag.STR)) {
        return template(node, what, problems);
      }
      String text =
          node.getTag().equals(Tag.BOOL)
              ? scalar.getValue().toLowerCase(Locale.ROOT)
              : scalar.getValue();
      return Optional.of(Template.literal(text, Nodes.at(node)));
    }
    problems.add(
        Nodes.at(node),
        what + " must be a string, a number or true/false, not " + Nodes.describe(node));
    return Optional.empty();
  }

  static Optional<Template> template(Node node, String what, Problems problems) {
    return parsed(node, what, problems, TemplateParser::parse);
  }

  /** A parser of template text: plain or shell. */
  @FunctionalInterface
  private interface Parser {
    Template parse(String text, java.util.function.IntFunction<Location> locate)
        throws TemplateParser.TemplateException;
  }

  private static Optional<Template> parsed(
      Node node, String what, Problems problems, Parser parser) {
    if (!(node instanceof ScalarNode scalar) || Nodes.isNull(node)) {
      problems.add(Nodes.at(node), what + " must be a string, not " + Nodes.describe(node));
      return Optional.empty();
    }
    try {
      return Optional.of(parser.parse(scalar.getValue(), offset -> Nodes.at(scalar, offset)));
    } catch (TemplateParser.TemplateException e) {
      problems.add(Nodes.at(scalar, e.offset()), what + ": " + e.getMessage());
      return Optional.empty();
    }
  }
}
