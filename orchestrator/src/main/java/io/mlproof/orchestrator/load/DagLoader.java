package io.mlproof.orchestrator.load;

import io.mlproof.orchestrator.core.Location;
import io.mlproof.orchestrator.core.ParamType;
import io.mlproof.orchestrator.core.RunnerKind;
import io.mlproof.orchestrator.core.RunnerSpec;
import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.dag.ParamSpec;
import io.mlproof.orchestrator.dag.RetryPolicy;
import io.mlproof.orchestrator.dag.Schedule;
import io.mlproof.orchestrator.dag.TaskDef;
import io.mlproof.orchestrator.dag.TaskKind;
import io.mlproof.orchestrator.dag.TaskKinds;
import io.mlproof.orchestrator.dag.TaskSpec;
import io.mlproof.orchestrator.dag.TriggerRule;
import io.mlproof.orchestrator.task.OptionCatalog;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.Pipelines;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Loads DAG files ({@code <dags folder>/<dag_id>.yaml}) over the folder's {@code defaults.yaml} and
 * checks them strictly: unknown keys, wrong types, bad schedules, unknown pipelines and options,
 * missing upstreams, cycles and template references. Every error names the file, line and column
 * and says what would be valid; all errors of a file are reported at once.
 */
public final class DagLoader {

  public static final String DEFAULTS_FILE = "defaults.yaml";

  static final Set<String> RETRY_KEYS =
      ordered(
          "retries",
          "retry_delay",
          "retry_exponential_backoff",
          "max_retry_delay",
          "execution_timeout");
  static final Set<String> DAG_KEYS =
      ordered(
          "dag_id",
          "description",
          "schedule",
          "start_date",
          "catchup",
          "max_active_tasks",
          "default_args",
          "params",
          "runner",
          "tasks");
  static final Set<String> DEFAULTS_KEYS =
      ordered(
          "schedule",
          "start_date",
          "catchup",
          "max_active_tasks",
          "default_args",
          "params",
          "runner",
          "runners");
  static final Set<String> RUNNER_KEYS = ordered("name", "options", "jvm_options");
  static final Set<String> DEFAULTS_RUNNER_KEYS = ordered("name", "jvm_options");
  static final Set<String> PARAM_KEYS = ordered("type", "default", "description");
  static final Set<String> TASK_KEYS =
      ordered(
          Stream.concat(
                  Stream.of("id", "kind", "description", "depends_on", "trigger_rule"),
                  RETRY_KEYS.stream())
              .toArray(String[]::new));

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
  private static final String DEFAULT_KIND = "pipeline";
  private static final int DEFAULT_MAX_ACTIVE_TASKS = 4;

  private final Map<String, MlproofPipeline> pipelines;
  private final Map<String, TaskKind> kinds;

  public DagLoader(Map<String, MlproofPipeline> pipelines, Map<String, TaskKind> kinds) {
    // Sorted, so that messages list names in a stable order.
    this.pipelines = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(pipelines));
    this.kinds = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(kinds));
  }

  /** With the pipelines and task kinds registered on the class path. */
  public static DagLoader standard() {
    return new DagLoader(Pipelines.all(), TaskKinds.all());
  }

  /** What loading a whole folder found: the valid DAGs and the errors of the others. */
  public record Report(List<Dag> dags, List<DefinitionError> errors) {}

  /** The DAG files of a folder (every {@code .yaml}/{@code .yml} but the defaults), sorted. */
  public static List<Path> dagFiles(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new InvalidInputException(
          "DAG folder " + folder + " does not exist (check --dags-folder)");
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files
          .filter(f -> f.getFileName().toString().matches(".*\\.ya?ml"))
          .filter(f -> !f.getFileName().toString().equals(DEFAULTS_FILE))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new InvalidInputException("cannot list DAG folder " + folder + ": " + e.getMessage());
    }
  }

  /** The DAG {@code dagId} of {@code folder}, or every error that stops it from loading. */
  public Dag load(Path folder, String dagId) {
    List<Path> files = dagFiles(folder);
    List<String> ids = files.stream().map(DagLoader::stem).toList();
    Path file =
        files.stream()
            .filter(f -> stem(f).equals(dagId))
            .findFirst()
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "no DAG '"
                            + dagId
                            + "' in "
                            + folder
                            + Suggest.didYouMean(dagId, ids)
                            + ": DAGs there are "
                            + (ids.isEmpty() ? "none" : String.join(", ", ids))));
    return loadFile(file);
  }

  /** Loads one DAG file with the defaults next to it. */
  public Dag loadFile(Path file) {
    Problems problems = new Problems();
    Defaults defaults = defaults(file.getParent(), problems);
    Optional<Dag> dag = parseDag(file, defaults, problems);
    if (!problems.isEmpty() || dag.isEmpty()) {
      throw new DagDefinitionException(problems.sorted());
    }
    return dag.get();
  }

  /** Loads every DAG of a folder, collecting errors instead of stopping at the first bad file. */
  public Report loadAll(Path folder) {
    return loadFiles(folder, dagFiles(folder));
  }

  /**
   * Loads the given DAG files, wherever they are, with the defaults of {@code folder} (none if it
   * has no defaults file), collecting errors instead of stopping at the first bad file.
   */
  public Report loadFiles(Path folder, List<Path> files) {
    List<Dag> dags = new ArrayList<>();
    List<DefinitionError> errors = new ArrayList<>();
    Problems defaultProblems = new Problems();
    Defaults defaults = defaults(folder, defaultProblems);
    errors.addAll(defaultProblems.sorted());
    for (Path file : files) {
      Problems problems = new Problems();
      try {
        parseDag(file, defaults, problems).filter(d -> problems.isEmpty()).ifPresent(dags::add);
      } catch (RuntimeException | StackOverflowError e) {
        // A bug this loader has not met yet must still not hide the folder's other DAGs.
        problems.add(
            Location.of(file.toString()), "cannot load the file (" + e + "): please report it");
      }
      errors.addAll(problems.sorted());
    }
    return new Report(dags, errors);
  }

  // ---- files ------------------------------------------------------------------------------------

  private static String stem(Path file) {
    return file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
  }

  private static Optional<Node> compose(Path file, Problems problems) {
    return YamlFiles.compose(file, problems);
  }

  /** The folder's defaults file, checked (it is optional). */
  private record Defaults(YamlMap root, YamlMap runner, Map<RunnerKind, YamlMap> runnerOptions) {}

  private Defaults defaults(Path folder, Problems problems) {
    Path file = folder.resolve(DEFAULTS_FILE);
    if (!Files.exists(file)) {
      return new Defaults(YamlMap.EMPTY, YamlMap.EMPTY, Map.of());
    }
    YamlMap root =
        compose(file, problems)
            .map(n -> YamlMap.of(n, DEFAULTS_FILE, problems))
            .orElse(YamlMap.EMPTY);
    root.checkKeys(DEFAULTS_KEYS, DEFAULTS_FILE, problems);
    YamlMap runner =
        root.value("runner").map(n -> YamlMap.of(n, "runner", problems)).orElse(YamlMap.EMPTY);
    runner.checkKeys(
        DEFAULTS_RUNNER_KEYS,
        "runner of " + DEFAULTS_FILE,
        problems,
        k ->
            k.equals("options")
                ? " (runner options go under 'runners: {direct: {...}, flink: {...}}')"
                : "");
    Map<RunnerKind, YamlMap> options = new EnumMap<>(RunnerKind.class);
    root.value("runners")
        .ifPresent(
            n -> {
              YamlMap byRunner = YamlMap.of(n, "runners", problems);
              byRunner
                  .entries()
                  .forEach(
                      (name, tuple) ->
                          runnerKind(tuple.getKeyNode(), problems)
                              .ifPresent(
                                  kind ->
                                      options.put(
                                          kind,
                                          YamlMap.of(
                                              tuple.getValueNode(), "runners." + name, problems))));
            });
    return new Defaults(root, runner, options);
  }

  // ---- the DAG ----------------------------------------------------------------------------------

  private Optional<Dag> parseDag(Path file, Defaults defaults, Problems problems) {
    Optional<Node> rootNode = compose(file, problems);
    if (rootNode.isEmpty()) {
      return Optional.empty();
    }
    Location fileStart = Location.of(file.toString());
    YamlMap root = YamlMap.of(rootNode.get(), "a DAG file", problems);
    root.checkKeys(
        DAG_KEYS,
        "the DAG",
        problems,
        k -> k.equals("runners") ? " ('runners' belongs in " + DEFAULTS_FILE + ")" : "");
    List<YamlMap> layers = List.of(root, defaults.root());

    Optional<String> dagId =
        required(root, "dag_id", fileStart, problems).flatMap(n -> dagId(n, file, problems));
    String description =
        root.value("description").flatMap(n -> Nodes.string(n, "description", problems)).orElse("");
    Optional<Schedule> schedule =
        required(layers, "schedule", fileStart, problems).flatMap(n -> schedule(n, problems));
    Optional<LocalDate> startDate =
        required(layers, "start_date", fileStart, problems)
            .flatMap(n -> Nodes.date(n, "start_date", problems));
    boolean catchup =
        value(layers, "catchup").flatMap(n -> Nodes.bool(n, "catchup", problems)).orElse(false);
    int maxActive =
        value(layers, "max_active_tasks")
            .flatMap(n -> Nodes.integer(n, "max_active_tasks", 1, problems))
            .orElse(DEFAULT_MAX_ACTIVE_TASKS);
    List<YamlMap> defaultArgs = sections(layers, "default_args", problems);
    defaultArgs.forEach(l -> l.checkKeys(RETRY_KEYS, "default_args", problems));
    RetryPolicy dagRetries = retryPolicy(defaultArgs, RetryPolicy.AIRFLOW_DEFAULTS, problems);
    Map<String, ParamSpec> params = params(sections(layers, "params", problems), problems);
    Map<RunnerKind, RunnerSpec> runners = new EnumMap<>(RunnerKind.class);
    RunnerSpec runner = runner(root, defaults, runners, problems);
    List<DagChecks.ParsedTask> tasks = tasks(root, fileStart, dagRetries, problems);

    // Checks across tasks need every task: with one missing they would report false errors.
    boolean allTasksRead =
        root.value("tasks")
            .filter(SequenceNode.class::isInstance)
            .map(n -> ((SequenceNode) n).getValue().size() == tasks.size())
            .orElse(false);
    List<TaskDef> ordered = allTasksRead ? DagChecks.check(tasks, params, problems) : List.of();
    if (!problems.isEmpty() || dagId.isEmpty() || schedule.isEmpty() || startDate.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Dag(
            dagId.get(),
            description,
            schedule.get(),
            startDate.get(),
            catchup,
            maxActive,
            params,
            runner,
            runners,
            ordered,
            file));
  }

  private static Optional<String> dagId(Node node, Path file, Problems problems) {
    Optional<String> id = Nodes.string(node, "dag_id", problems);
    if (id.isPresent() && !IDENTIFIER.matcher(id.get()).matches()) {
      problems.add(
          Nodes.at(node),
          "dag_id '"
              + id.get()
              + "' must start with a letter and hold only letters,"
              + " digits and _");
      return Optional.empty();
    }
    if (id.isPresent() && !id.get().equals(stem(file))) {
      problems.add(
          Nodes.at(node),
          "dag_id '"
              + id.get()
              + "' must match the file name: rename the file to "
              + id.get()
              + ".yaml or set dag_id: "
              + stem(file));
      return Optional.empty();
    }
    return id;
  }

  private static Optional<Schedule> schedule(Node node, Problems problems) {
    return Nodes.string(node, "schedule", problems)
        .flatMap(
            text -> {
              try {
                return Optional.of(Schedule.parse(text));
              } catch (IllegalArgumentException e) {
                problems.add(Nodes.at(node), "schedule: " + e.getMessage());
                return Optional.empty();
              }
            });
  }

  private static Optional<Node> required(
      YamlMap map, String key, Location fallback, Problems problems) {
    return required(List.of(map), key, fallback, problems);
  }

  private static Optional<Node> required(
      List<YamlMap> layers, String key, Location fallback, Problems problems) {
    Optional<Node> node = value(layers, key);
    if (node.isEmpty()) {
      problems.add(
          layers.get(0).location(fallback),
          "missing '"
              + key
              + "'"
              + (layers.size() > 1 ? " (here or in " + DEFAULTS_FILE + ")" : ""));
    }
    return node;
  }

  /** The value of {@code key} in the first layer that has it (the DAG file, then the defaults). */
  private static Optional<Node> value(List<YamlMap> layers, String key) {
    return layers.stream().map(l -> l.value(key)).flatMap(Optional::stream).findFirst();
  }

  /** The mapping at {@code key} of every layer that has one, most specific first. */
  private static List<YamlMap> sections(List<YamlMap> layers, String key, Problems problems) {
    return layers.stream()
        .map(l -> l.value(key))
        .flatMap(Optional::stream)
        .map(n -> YamlMap.of(n, key, problems))
        .toList();
  }

  private static RetryPolicy retryPolicy(
      List<YamlMap> layers, RetryPolicy base, Problems problems) {
    return new RetryPolicy(
        value(layers, "retries")
            .flatMap(n -> Nodes.integer(n, "retries", 0, problems))
            .orElse(base.retries()),
        value(layers, "retry_delay")
            .flatMap(n -> Nodes.duration(n, "retry_delay", problems))
            .orElse(base.retryDelay()),
        value(layers, "retry_exponential_backoff")
            .flatMap(n -> Nodes.bool(n, "retry_exponential_backoff", problems))
            .orElse(base.exponentialBackoff()),
        value(layers, "max_retry_delay")
            .flatMap(n -> Nodes.duration(n, "max_retry_delay", problems))
            .or(base::maxRetryDelay),
        value(layers, "execution_timeout")
            .flatMap(n -> Nodes.positiveDuration(n, "execution_timeout", problems))
            .or(base::executionTimeout));
  }

  // ---- params -----------------------------------------------------------------------------------

  private static Map<String, ParamSpec> params(List<YamlMap> layers, Problems problems) {
    Map<String, ParamSpec> params = new LinkedHashMap<>();
    for (int i = layers.size() - 1; i >= 0; i--) {
      layers
          .get(i)
          .entries()
          .forEach(
              (name, tuple) -> {
                if (!IDENTIFIER.matcher(name).matches()) {
                  problems.add(
                      Nodes.at(tuple.getKeyNode()),
                      "param name '"
                          + name
                          + "' must start with a letter and hold only letters, digits and _");
                  return;
                }
                param(name, tuple.getValueNode(), problems).ifPresent(p -> params.put(name, p));
              });
    }
    return params;
  }

  private static Optional<ParamSpec> param(String name, Node node, Problems problems) {
    String what = "param '" + name + "'";
    if (node instanceof ScalarNode scalar) {
      Optional<ParamType> inferred = inferType(scalar);
      if (inferred.isEmpty()) {
        problems.add(Nodes.at(node), what + " needs a default value or {type: ..., default: ...}");
        return Optional.empty();
      }
      return typedValue(scalar, inferred.get(), what, problems)
          .map(v -> new ParamSpec(name, inferred.get(), Optional.of(v), ""));
    }
    YamlMap map = YamlMap.of(node, what, problems);
    map.checkKeys(PARAM_KEYS, what, problems);
    Optional<ParamType> type =
        map.value("type").flatMap(n -> enumValue(n, ParamType.class, what + " type", problems));
    if (map.value("type").isEmpty()) {
      problems.add(
          map.location(Nodes.at(node)),
          what + " is missing 'type': use one of " + names(ParamType.class));
    }
    String description =
        map.value("description")
            .flatMap(n -> Nodes.string(n, what + " description", problems))
            .orElse("");
    if (type.isEmpty()) {
      return Optional.empty();
    }
    Optional<Node> defaultNode = map.value("default").filter(n -> !Nodes.isNull(n));
    if (defaultNode.isEmpty()) {
      return Optional.of(new ParamSpec(name, type.get(), Optional.empty(), description));
    }
    if (!(defaultNode.get() instanceof ScalarNode scalar)) {
      problems.add(Nodes.at(defaultNode.get()), what + " default must be a single value");
      return Optional.empty();
    }
    return typedValue(scalar, type.get(), what + " default", problems)
        .map(v -> new ParamSpec(name, type.get(), Optional.of(v), description));
  }

  private static Optional<ParamType> inferType(ScalarNode scalar) {
    Tag tag = scalar.getTag();
    if (tag.equals(Tag.INT)) {
      return Optional.of(ParamType.INTEGER);
    } else if (tag.equals(Tag.FLOAT)) {
      return Optional.of(ParamType.NUMBER);
    } else if (tag.equals(Tag.BOOL)) {
      return Optional.of(ParamType.BOOLEAN);
    } else if (tag.equals(Tag.STR)) {
      return Optional.of(ParamType.STRING);
    }
    return Optional.empty();
  }

  /**
   * The scalar as a value of {@code type}: strict, so {@code '5'} is not an integer nor {@code 5} a
   * string.
   */
  private static Optional<Object> typedValue(
      ScalarNode scalar, ParamType type, String what, Problems problems) {
    Tag tag = scalar.getTag();
    String text = scalar.getValue();
    Optional<Object> value =
        switch (type) {
          case INTEGER -> tag.equals(Tag.INT) ? parse(() -> Long.decode(text)) : Optional.empty();
          case NUMBER ->
              tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)
                  ? parse(() -> new BigDecimal(text))
                  : Optional.empty();
          case BOOLEAN ->
              tag.equals(Tag.BOOL)
                  ? Optional.of(Boolean.parseBoolean(text.toLowerCase(Locale.ROOT)))
                  : Optional.empty();
          case STRING -> tag.equals(Tag.STR) ? Optional.of(text) : Optional.empty();
          case DATE -> tag.equals(Tag.STR) ? parse(() -> LocalDate.parse(text)) : Optional.empty();
        };
    if (value.isEmpty()) {
      problems.add(
          Nodes.at(scalar),
          what
              + " must be "
              + article(type)
              + ", not "
              + Nodes.describe(scalar)
              + (type == ParamType.STRING ? " (quote it)" : ""));
    }
    return value;
  }

  private static String article(ParamType type) {
    return switch (type) {
      case INTEGER -> "an integer";
      case NUMBER -> "a number";
      case BOOLEAN -> "true or false";
      case STRING -> "a string";
      case DATE -> "a date YYYY-MM-DD";
    };
  }

  private static Optional<Object> parse(java.util.function.Supplier<Object> parser) {
    try {
      return Optional.of(parser.get());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  // ---- runner -----------------------------------------------------------------------------------

  private RunnerSpec runner(
      YamlMap root, Defaults defaults, Map<RunnerKind, RunnerSpec> runners, Problems problems) {
    YamlMap dagRunner =
        root.value("runner").map(n -> YamlMap.of(n, "runner", problems)).orElse(YamlMap.EMPTY);
    dagRunner.checkKeys(RUNNER_KEYS, "runner", problems);
    List<YamlMap> layers = List.of(dagRunner, defaults.runner());
    RunnerKind kind =
        value(layers, "name").flatMap(n -> runnerKind(n, problems)).orElse(RunnerKind.DIRECT);
    List<String> jvmOptions =
        value(layers, "jvm_options")
            .map(
                n ->
                    Nodes.stringList(n, "runner jvm_options", problems).stream()
                        .map(ScalarNode::getValue)
                        .toList())
            .orElse(List.of());
    for (RunnerKind k : RunnerKind.values()) {
      Map<String, String> options =
          runnerOptions(
              k,
              defaults.runnerOptions().getOrDefault(k, YamlMap.EMPTY),
              "runners." + k.yamlName(),
              problems);
      runners.put(k, new RunnerSpec(k, options, jvmOptions));
    }
    Map<String, String> options = new LinkedHashMap<>(runners.get(kind).options());
    dagRunner
        .value("options")
        .ifPresent(
            n ->
                options.putAll(
                    runnerOptions(
                        kind,
                        YamlMap.of(n, "runner options", problems),
                        "runner options",
                        problems)));
    return new RunnerSpec(kind, options, jvmOptions);
  }

  private static Optional<RunnerKind> runnerKind(Node node, Problems problems) {
    return enumValue(node, RunnerKind.class, "runner name", problems);
  }

  /** Literal Beam options of a runner, checked against its options interface. */
  private static Map<String, String> runnerOptions(
      RunnerKind kind, YamlMap map, String where, Problems problems) {
    OptionCatalog catalog = OptionCatalog.of(kind.optionsClass());
    Map<String, String> options = new LinkedHashMap<>();
    map.entries()
        .forEach(
            (name, tuple) -> {
              Node value = tuple.getValueNode();
              Optional<OptionCatalog.Option> option =
                  catalog.option(name).filter(o -> !name.equals("runner"));
              if (option.isEmpty()) {
                List<String> valid = catalog.ownOptionNames(Set.of("runner"));
                problems.add(
                    Nodes.at(tuple.getKeyNode()),
                    "unknown option '"
                        + name
                        + "' in "
                        + where
                        + " for the "
                        + kind.yamlName()
                        + " runner"
                        + Suggest.didYouMean(name, catalog.options().keySet())
                        + ": its options include "
                        + String.join(", ", valid));
                return;
              }
              if (!(value instanceof ScalarNode scalar) || Nodes.isNull(value)) {
                problems.add(Nodes.at(value), where + "." + name + " must be a single value");
                return;
              }
              String text =
                  value.getTag().equals(Tag.BOOL)
                      ? scalar.getValue().toLowerCase(Locale.ROOT)
                      : scalar.getValue();
              Optional<String> problem = OptionCatalog.checkValue(option.get(), text);
              if (problem.isPresent()) {
                problems.add(
                    Nodes.at(value),
                    where + "." + name + " " + problem.get() + ", not '" + text + "'");
                return;
              }
              options.put(name, text);
            });
    return options;
  }

  // ---- tasks ------------------------------------------------------------------------------------

  private List<DagChecks.ParsedTask> tasks(
      YamlMap root, Location fileStart, RetryPolicy dagRetries, Problems problems) {
    Optional<Node> node = required(root, "tasks", fileStart, problems);
    List<DagChecks.ParsedTask> tasks = new ArrayList<>();
    if (node.isEmpty()) {
      return tasks;
    }
    if (!(node.get() instanceof SequenceNode sequence) || sequence.getValue().isEmpty()) {
      problems.add(Nodes.at(node.get()), "tasks must be a non-empty list of tasks (- id: ...)");
      return tasks;
    }
    for (Node taskNode : sequence.getValue()) {
      task(taskNode, dagRetries, problems).ifPresent(tasks::add);
    }
    return tasks;
  }

  private Optional<DagChecks.ParsedTask> task(
      Node node, RetryPolicy dagRetries, Problems problems) {
    Location at = Nodes.at(node);
    YamlMap map = YamlMap.of(node, "a task", problems);
    if (!map.isPresent()) {
      return Optional.empty();
    }
    Optional<String> id =
        required(map, "id", at, problems)
            .flatMap(
                n -> {
                  Optional<String> text = Nodes.string(n, "task id", problems);
                  if (text.isPresent() && !IDENTIFIER.matcher(text.get()).matches()) {
                    problems.add(
                        Nodes.at(n),
                        "task id '"
                            + text.get()
                            + "' must start with a letter and hold only letters,"
                            + " digits and _");
                    return Optional.empty();
                  }
                  return text;
                });
    String label = id.orElse("?");
    Optional<String> kindName =
        map.value("kind")
            .flatMap(n -> Nodes.string(n, "task '" + label + "': kind", problems))
            .or(() -> map.value("kind").isPresent() ? Optional.empty() : Optional.of(DEFAULT_KIND));
    Optional<TaskKind> kind =
        kindName.flatMap(
            k -> {
              TaskKind found = kinds.get(k);
              if (found == null) {
                problems.add(
                    map.value("kind").map(Nodes::at).orElse(at),
                    "task '"
                        + label
                        + "': unknown kind '"
                        + k
                        + "'"
                        + Suggest.didYouMean(k, kinds.keySet())
                        + ": use one of "
                        + String.join(", ", kinds.keySet()));
              }
              return Optional.ofNullable(found);
            });
    if (kind.isPresent()) {
      Set<String> allowed = new LinkedHashSet<>(TASK_KEYS);
      allowed.addAll(new java.util.TreeSet<>(kind.get().keys().keySet()));
      map.checkKeys(
          allowed,
          "task '" + label + "' (kind " + kind.get().name() + ")",
          problems,
          key ->
              kinds.values().stream()
                  .filter(k -> k.keys().containsKey(key))
                  .findFirst()
                  .map(k -> " ('" + key + "' is a key of kind " + k.name() + ")")
                  .orElse(""));
    }
    List<ScalarNode> upstreamNodes =
        map.value("depends_on")
            .map(n -> Nodes.stringList(n, "task '" + label + "': depends_on", problems))
            .orElse(List.of());
    List<String> dependsOn = upstreamNodes.stream().map(ScalarNode::getValue).toList();
    TriggerRule rule =
        map.value("trigger_rule")
            .flatMap(
                n ->
                    enumValue(n, TriggerRule.class, "task '" + label + "': trigger_rule", problems))
            .orElse(TriggerRule.ALL_SUCCESS);
    RetryPolicy retries = retryPolicy(List.of(map), dagRetries, problems);
    String description =
        map.value("description").flatMap(n -> Nodes.string(n, "description", problems)).orElse("");
    if (id.isEmpty() || kind.isEmpty()) {
      return Optional.empty();
    }
    TaskSpec spec = kind.get().parse(new TaskSection(id.get(), map, at, problems, pipelines));
    if (spec == null) {
      return Optional.empty();
    }
    TaskDef def =
        new TaskDef(
            id.get(),
            kind.get().name(),
            spec,
            dependsOn,
            rule,
            retries,
            description,
            map.value("id").map(Nodes::at).orElse(at));
    return Optional.of(
        new DagChecks.ParsedTask(def, upstreamNodes.stream().map(Nodes::at).toList()));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static <E extends Enum<E>> Optional<E> enumValue(
      Node node, Class<E> type, String what, Problems problems) {
    Optional<String> text = Nodes.string(node, what, problems);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    for (E constant : type.getEnumConstants()) {
      if (constant.name().toLowerCase(Locale.ROOT).equals(text.get())) {
        return Optional.of(constant);
      }
    }
    List<String> valid =
        Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
    problems.add(
        Nodes.at(node),
        what
            + " '"
            + text.get()
            + "' is not valid"
            + Suggest.didYouMean(text.get(), valid)
            + ": use one of "
            + String.join(", ", valid));
    return Optional.empty();
  }

  private static <E extends Enum<E>> String names(Class<E> type) {
    return Arrays.stream(type.getEnumConstants())
        .map(c -> c.name().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(", "));
  }

  private static Set<String> ordered(String... keys) {
    return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(List.of(keys)));
  }
}
