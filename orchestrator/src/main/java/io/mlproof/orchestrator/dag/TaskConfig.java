package io.mlproof.orchestrator.dag;

import io.mlproof.orchestrator.core.Location;
import io.mlproof.orchestrator.template.Template;
import io.mlproof.pipelines.core.MlproofPipeline;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A task's keys as a {@link TaskKind} sees them while the DAG loads. Readers report type errors
 * themselves (with file, line and column) and return empty; a kind adds its own checks with {@link
 * #error}.
 */
public interface TaskConfig {

  String taskId();

  /** The task's mapping in the file. */
  Location location();

  /** Where {@code key}'s value is, or the task's location when the key is absent. */
  Location locationOf(String key);

  Optional<String> string(String key, boolean required);

  Optional<Template> template(String key, boolean required);

  /**
   * A bash command: its values are shell-quoted unless {@code | raw} (see {@code
   * TemplateParser.parseShell}).
   */
  Optional<Template> shellTemplate(String key, boolean required);

  /** A mapping of names to templated strings ({@code env:}); empty when absent. */
  Map<String, Template> templates(String key);

  /** A duration: seconds as an integer, or text such as {@code 90s}, {@code 5m}, {@code 1h30m}. */
  Optional<Duration> duration(String key);

  Optional<Boolean> bool(String key);

  /**
   * A mapping of option names to scalars or lists of scalars ({@code options:}); empty when absent.
   */
  List<Option> options(String key);

  /** The registered pipelines. */
  Map<String, MlproofPipeline> pipelines();

  void error(Location at, String message);

  /**
   * One option of a task.
   *
   * @param values one template per value; literal numbers and booleans are literal templates
   * @param list whether it was written as a YAML list (rendered as one {@code --name=value} each)
   */
  record Option(
      String name,
      List<Template> values,
      boolean list,
      Location keyLocation,
      Location valueLocation) {
    public Option {
      values = List.copyOf(values);
    }
  }
}
