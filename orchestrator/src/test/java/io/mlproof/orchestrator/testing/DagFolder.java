package io.mlproof.orchestrator.testing;

import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.dag.TaskKinds;
import io.mlproof.orchestrator.load.DagDefinitionException;
import io.mlproof.orchestrator.load.DagLoader;
import io.mlproof.orchestrator.load.DefinitionError;
import io.mlproof.pipelines.core.Pipelines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A temporary DAG folder for tests: write files, load them, read errors with the folder as "dags".
 */
public final class DagFolder {

  /** Defaults most tests share: fast retries, the Direct runner with a small parallelism. */
  public static final String DEFAULTS =
      """
      start_date: 2024-01-01
      default_args:
        retries: 0
        retry_delay: 0s
      runner:
        name: direct
      runners:
        direct:
          targetParallelism: 1
        flink:
          parallelism: 2
          # Beam's embedded cluster in each task: no session cluster in unit tests (FlinkClusterIT has one).
          flinkMaster: "[local]"
      """;

  private final Path folder;

  public DagFolder(Path folder) {
    this.folder = folder;
  }

  public static DagFolder withDefaults(Path folder) {
    return new DagFolder(folder).write("defaults.yaml", DEFAULTS);
  }

  public Path path() {
    return folder;
  }

  public DagFolder write(String name, String text) {
    try {
      Files.createDirectories(folder);
      Files.writeString(folder.resolve(name), text, StandardCharsets.UTF_8);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static DagLoader loader() {
    return new DagLoader(Pipelines.all(), TaskKinds.all());
  }

  public Dag load(String dagId) {
    return loader().load(folder, dagId);
  }

  /** The errors of loading {@code dagId}, each as {@code dags/<file>:line:col: message}. */
  public List<String> errors(String dagId) {
    try {
      loader().load(folder, dagId);
      return List.of();
    } catch (DagDefinitionException e) {
      return e.errors().stream().map(this::relative).toList();
    }
  }

  public String relative(DefinitionError error) {
    return error.toString().replace(folder.toString(), "dags");
  }
}
