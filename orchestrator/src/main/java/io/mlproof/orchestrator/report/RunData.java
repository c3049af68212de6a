package io.mlproof.orchestrator.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.dag.TaskDef;
import io.mlproof.orchestrator.state.DagRunRecord;
import io.mlproof.orchestrator.state.StateStore;
import io.mlproof.orchestrator.state.TaskInstance;
import io.mlproof.orchestrator.state.TaskState;
import io.mlproof.orchestrator.template.RenderContext;
import io.mlproof.pipelines.core.FileBytes;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.Blessing;
import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.EvaluationResult;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.ValidationReport;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Everything one DAG run left that the report shows: the run's state (SQLite state file), the
 * manifest of every complete task output, and the files the stages write for people (evaluation,
 * blessing, validation, statistics, predictions, backtest, A/B analysis).
 *
 * <p>Stages are found by the pipeline their manifest names, not by task id, so a DAG may name its
 * tasks as it likes. Absent outputs are absent sections (a failed or skipped task); a file that is
 * there but unreadable is an error naming it.
 */
public record RunData(
    Dag dag,
    LocalDate logicalDate,
    Optional<DagRunRecord> run,
    Map<String, TaskInstance> instances,
    Map<String, Manifest> outputs,
    Optional<EvaluationResult> evaluation,
    Optional<JsonNode> evaluationJson,
    Optional<Blessing> blessing,
    Optional<ValidationReport> validation,
    Optional<DatasetStatistics> statistics,
    Optional<Predictions> predictions,
    Optional<JsonNode> backtest,
    Optional<JsonNode> analysis) {

  public static final String EVALUATION_JSON = "evaluation.json";
  public static final String BLESSING_JSON = "blessing.json";
  public static final String VALIDATION_JSON = "validation_report.json";
  public static final String STATISTICS_JSON = "statistics.json";
  public static final String PREDICTIONS_CSV = "predictions.csv";
  public static final String BACKTEST_JSON = "backtest.json";
  public static final String ANALYSIS_JSON = "analysis.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The model's scored held-out rows (the ones evaluation.json measures). */
  public record Predictions(double[] scores, boolean[] labels) {}

  /**
   * Reads the run of {@code dag} at {@code date} from {@code store} and its task outputs. When the
   * store has no such run (a run another scheduler, such as Airflow, made), the complete outputs
   * under {@code runRoot} stand for successful tasks.
   */
  public static RunData read(Dag dag, LocalDate date, StateStore store, String runRoot) {
    Optional<DagRunRecord> run = store.dagRun(dag.dagId(), date);
    Map<String, TaskInstance> stored = store.taskInstances(dag.dagId(), date);
    if (run.isEmpty() && stored.isEmpty()) {
      stored = fromOutputs(dag, date, runRoot);
    }
    if (stored.isEmpty()) {
      throw new InvalidInputException(
          "no run of "
              + dag.dagId()
              + " at "
              + date
              + " in "
              + store.file()
              + " and no task output under "
              + RenderContext.outputDir(runRoot, dag.dagId(), date, "")
              + ": run it first (mlproof dags run "
              + dag.dagId()
              + " --logical-date "
              + date
              + ") or check --state and --run-root");
    }
    Map<String, TaskInstance> instances = new LinkedHashMap<>();
    Map<String, Manifest> outputs = new LinkedHashMap<>();
    for (TaskDef task : dag.tasks()) {
      TaskInstance ti = stored.get(task.id());
      if (ti == null) {
        continue;
      }
      instances.put(task.id(), ti);
      if (ti.state() == TaskState.SUCCESS) {
        manifest(ti.output()).ifPresent(m -> outputs.put(task.id(), m));
      }
    }
    Reader reader = new Reader(instances, outputs);
    Optional<String> train = reader.dirOf("train");
    Optional<EvaluationResult> evaluation =
        train.flatMap(
            d ->
                reader.proto(
                    d, EVALUATION_JSON, EvaluationResult::newBuilder, EvaluationResult.class));
    return new RunData(
        dag,
        date,
        run,
        instances,
        outputs,
        evaluation,
        train.flatMap(d -> reader.json(d, EVALUATION_JSON)),
        reader
            .dirOf("bless")
            .flatMap(d -> reader.proto(d, BLESSING_JSON, Blessing::newBuilder, Blessing.class)),
        reader
            .dirOf("validate")
            .flatMap(
                d ->
                    reader.proto(
                        d, VALIDATION_JSON, ValidationReport::newBuilder, ValidationReport.class)),
        reader.trainingStatistics(),
        train.flatMap(reader::predictions),
        reader.dirOf("backtest").flatMap(d -> reader.json(d, BACKTEST_JSON)),
        reader.dirOf("analyze").flatMap(d -> reader.json(d, ANALYSIS_JSON)));
  }

  private static Map<String, TaskInstance> fromOutputs(Dag dag, LocalDate date, String runRoot) {
    Map<String, TaskInstance> found = new LinkedHashMap<>();
    for (TaskDef task : dag.tasks()) {
      String dir = RenderContext.outputDir(runRoot, dag.dagId(), date, task.id());
      manifest(dir)
          .ifPresent(
              m ->
                  found.put(
                      task.id(),
                      new TaskInstance(
                          dag.dagId(),
                          date,
                          task.id(),
                          TaskState.SUCCESS,
                          1,
                          1,
                          Optional.empty(),
                          Optional.empty(),
                          dir,
                          Optional.empty(),
                          Optional.of("found complete output (no state for this run)"))));
    }
    return found;
  }

  /**
   * The output directory of the first task whose complete output was written by {@code pipeline}.
   */
  public Optional<String> outputOf(String pipeline) {
    return new Reader(instances, outputs).dirOf(pipeline);
  }

  private static Optional<Manifest> manifest(String dir) {
    try {
      return Optional.of(TaskOutput.read(dir));
    } catch (InvalidInputException e) {
      return Optional.empty(); // stored as success but cleared since: shown as incomplete
    }
  }

  /** Reads files of the complete outputs. */
  private record Reader(Map<String, TaskInstance> instances, Map<String, Manifest> outputs) {

    Optional<String> dirOf(String pipeline) {
      return outputs.entrySet().stream()
          .filter(e -> e.getValue().getPipeline().equals(pipeline))
          .map(e -> instances.get(e.getKey()).output())
          .findFirst();
    }

    /** The features output train learned from (the first with labels), else the first. */
    Optional<DatasetStatistics> trainingStatistics() {
      Optional<DatasetStatistics> first = Optional.empty();
      for (Map.Entry<String, Manifest> e : outputs.entrySet()) {
        if (!e.getValue().getPipeline().equals("features")) {
          continue;
        }
        Optional<DatasetStatistics> stats =
            proto(
                instances.get(e.getKey()).output(),
                STATISTICS_JSON,
                DatasetStatistics::newBuilder,
                DatasetStatistics.class);
        if (stats.isPresent() && stats.get().getLabeledExamples() > 0) {
          return stats;
        }
        first = first.or(() -> stats);
      }
      return first;
    }

    Optional<String> text(String dir, String file) {
      String path = dir + "/" + file;
      try {
        return Optional.of(new String(FileBytes.read(path), StandardCharsets.UTF_8));
      } catch (FileNotFoundException e) {
        return Optional.empty();
      } catch (IOException e) {
        throw new InvalidInputException("cannot read " + path + ": " + e.getMessage());
      }
    }

    <T extends Message> Optional<T> proto(
        String dir, String file, Supplier<Message.Builder> builder, Class<T> type) {
      return text(dir, file)
          .map(
              text -> {
                Message.Builder b = builder.get();
                try {
                  // Newer stages may add fields: the report shows what it knows and ignores the
                  // rest.
                  JsonFormat.parser().ignoringUnknownFields().merge(text, b);
                } catch (InvalidProtocolBufferException e) {
                  throw new InvalidInputException(
                      dir
                          + "/"
                          + file
                          + " is not a valid "
                          + type.getSimpleName()
                          + ": "
                          + e.getMessage()
                          + " (re-run the task that wrote it)");
                }
                return type.cast(b.build());
              });
    }

    Optional<JsonNode> json(String dir, String file) {
      return text(dir, file)
          .map(
              text -> {
                try {
                  return JSON.readTree(text);
                } catch (IOException e) {
                  throw new InvalidInputException(
                      dir
                          + "/"
                          + file
                          + " is not valid JSON: "
                          + e.getMessage()
                          + " (re-run the task that wrote it)");
                }
              });
    }

    /** {@code predictions.csv} of train: entity_id, cutoff_day, label (0/1), score. */
    Optional<Predictions> predictions(String dir) {
      return text(dir, PREDICTIONS_CSV)
          .map(
              text -> {
                String[] lines = text.split("\n");
                int rows = lines.length - 1;
                double[] scores = new double[rows];
                boolean[] labels = new boolean[rows];
                for (int r = 0; r < rows; r++) {
                  String line = lines[r + 1];
                  int scoreAt = line.lastIndexOf(',');
                  int labelAt = line.lastIndexOf(',', scoreAt - 1);
                  String label = labelAt < 0 ? "" : line.substring(labelAt + 1, scoreAt);
                  try {
                    scores[r] = Double.parseDouble(line.substring(scoreAt + 1));
                  } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                    throw new InvalidInputException(
                        dir
                            + "/"
                            + PREDICTIONS_CSV
                            + " line "
                            + (r + 2)
                            + " has no numeric score: '"
                            + line
                            + "' (re-run train)");
                  }
                  if (!label.equals("0") && !label.equals("1")) {
                    throw new InvalidInputException(
                        dir
                            + "/"
                            + PREDICTIONS_CSV
                            + " line "
                            + (r + 2)
                            + " has label '"
                            + label
                            + "', not 0 or 1 (re-run train)");
                  }
                  labels[r] = label.equals("1");
                }
                return new Predictions(scores, labels);
              });
    }
  }
}
