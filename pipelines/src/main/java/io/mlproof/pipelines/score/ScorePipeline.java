package io.mlproof.pipelines.score;

import io.mlproof.pipelines.bless.Blessings;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.evaluate.Ranking;
import io.mlproof.pipelines.features.FeatureSpecs;
import io.mlproof.pipelines.train.ExampleBuffer;
import io.mlproof.pipelines.train.ExampleMatrix;
import io.mlproof.pipelines.train.ModelArtifact;
import io.mlproof.pipelines.train.OptionsParser;
import io.mlproof.pipelines.train.StageClock;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.train.TrainPipeline;
import io.mlproof.pipelines.warehouse.TableWrite;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.pipelines.warehouse.WarehouseTable;
import io.mlproof.proto.v1.Blessing;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import io.mlproof.proto.v1.Score;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * {@code mlproof run score}: every entity in the features output at the scoring date gets a score
 * from a blessed model and a rank (1 = most likely to churn, ties by entity id), written as Score
 * records, a CSV for people and a warehouse table for the marketing team. Prediction is one batch
 * call on the whole matrix: LightGBM's own speed.
 */
public final class ScorePipeline implements MlproofPipeline {
  public static final String SCORES = "scores";
  public static final String SCORES_CSV = "scores.csv";

  /** Where the marketing team finds the list (--scoresTable), one day replaced per run. */
  static final WarehouseTable SCORES_TABLE = new WarehouseTable("scores", "scores", List.of(
      WarehouseTable.Column.required("entity_id", WarehouseTable.ColumnType.STRING),
      WarehouseTable.Column.required("score", WarehouseTable.ColumnType.DOUBLE),
      WarehouseTable.Column.required("rank", WarehouseTable.ColumnType.INT64),
      WarehouseTable.Column.required("model_id", WarehouseTable.ColumnType.STRING),
      WarehouseTable.Column.required("score_day", WarehouseTable.ColumnType.DATE)), "score_day");

  @Override
  public String name() {
    return "score";
  }

  @Override
  public String description() {
    return "Score every entity at a date with a blessed model and write the ranked list to the run"
        + " directory and a warehouse table.";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return ScoreOptions.class;
  }

  @Override
  public void run(String[] args) {
    run(OptionsParser.parse(name(), args, ScoreOptions.class), System.out);
  }

  /** The scores written, in rank order. */
  public record Result(List<Score> scores, Manifest manifest) {}

  public static Result run(ScoreOptions options, PrintStream out) {
    FileSystems.setDefaultPipelineOptions(options);
    Warehouse warehouse = null;
    WarehouseTable table = SCORES_TABLE.named(options.getScoresTable());
    if (!options.getScoresTable().isEmpty()) {
      warehouse = Warehouse.from(options);
      warehouse.checkWritable(table, "--scoresTable");
    }
    Optional<Blessing> blessing = Blessings.requireBlessed(options.getModel(), options.getAllowUnblessed());
    ModelArtifact model = ModelArtifact.load(options.getModel());
    blessing.ifPresent(b -> Blessings.requireSameModel(b, model, options.getModel()));
    Manifest features = TaskOutput.read(options.getExamples());
    if (features.getFilesList().stream().anyMatch(f -> f.getName().equals(FeatureSpecs.OUTPUT_NAME))) {
      model.checkSpec(FeatureSpecs.hash(FeatureSpecs.fromFeaturesOutput(options.getExamples())), options.getExamples());
    }
    TaskOutput output = TaskOutput.begin(options.getOutput(), TaskOutput.Owner.of("score", options));
    try {
      StageClock clock = new StageClock();
      ExampleBuffer examples = TrainPipeline.readExamples(options.getExamples(), model.metadata().getFeatureSpec());
      int day = scoreDay(options.getLogicalDate(), examples, options.getExamples());
      int[] rows = IntStream.of(examples.canonicalOrder()).filter(r -> examples.cutoff(r) == day).toArray();
      for (int i = 1; i < rows.length; i++) {
        if (examples.id(rows[i]).equals(examples.id(rows[i - 1]))) {
          throw new InvalidInputException("entity " + examples.id(rows[i]) + " appears twice at the scoring day in "
              + options.getExamples() + ": the features must hold one row per entity");
        }
      }
      ExampleMatrix matrix = examples.select(rows);
      clock.lap("read_examples");
      double[] scores = model.predict(matrix, options.getNumThreads());
      clock.lap("predict");
      List<Score> ranked = rank(matrix, scores, model.id(), day);
      clock.lap("rank");
      List<OutputFile> files = new ArrayList<>();
      files.add(writeRecords(output, ranked));
      ModelArtifact.write(output.staging(SCORES_CSV), csv(ranked).getBytes(StandardCharsets.UTF_8), MimeTypes.TEXT);
      files.add(OutputFile.newBuilder().setName("scores_csv").setPath(SCORES_CSV).setRecords(ranked.size()).build());
      if (warehouse != null) {
        warehouse.replaceRows(List.of(tableWrite(table, day, ranked)), options);
      }
      clock.lap("write");
      Manifest manifest = output.commit(Manifest.newBuilder()
          .setPipeline("score")
          .setTaskId(options.getTaskId())
          .setDagId(options.getDagId())
          .setLogicalDate(options.getLogicalDate() == null ? "" : options.getLogicalDate())
          .addAllFiles(files)
          .putCounters("entities_scored", ranked.size())
          .putCounters("examples_other_days_skipped", examples.rows() - rows.length)
          .setRecordType(Score.getDescriptor().getFullName())
          .setRunner("driver")
          .putAttributes("model_id", model.id())
          .putAttributes("score_day", LocalDate.ofEpochDay(day).toString())
          .putAttributes("scores_table", options.getScoresTable())
          .putAllAttributes(clock.attributes())
          .build());
      out.printf("scored %d entities on %s with model %s%s%n", ranked.size(), LocalDate.ofEpochDay(day), model.id(),
          warehouse == null ? "" : "; table " + options.getScoresTable() + " updated");
      return new Result(ranked, manifest);
    } catch (RuntimeException e) {
      output.abort();
      throw e;
    }
  }

  /** The scores table's rows for one day: replaced as a whole, so a re-run does not duplicate them. */
  static TableWrite tableWrite(WarehouseTable table, int day, List<Score> scores) {
    LocalDate date = LocalDate.ofEpochDay(day);
    List<List<Object>> rows = new ArrayList<>(scores.size());
    for (Score s : scores) {
      rows.add(List.of(s.getEntityId(), s.getScore(), s.getRank(), s.getModelId(), date));
    }
    return new TableWrite(table, date, rows);
  }

  /** The logical date's day if given (it must be in the examples), else the newest cutoff. */
  static int scoreDay(String logicalDate, ExampleBuffer examples, String where) {
    TreeSet<Integer> days = new TreeSet<>();
    for (int r = 0; r < examples.rows(); r++) {
      days.add(examples.cutoff(r));
    }
    if (days.isEmpty()) {
      throw new InvalidInputException("the features output " + where + " holds no examples to score");
    }
    if (logicalDate == null || logicalDate.isEmpty()) {
      return days.last();
    }
    int day;
    try {
      day = (int) LocalDate.parse(logicalDate).toEpochDay();
    } catch (DateTimeParseException e) {
      throw new InvalidInputException("--logicalDate=" + logicalDate + " is not a date: use YYYY-MM-DD");
    }
    if (!days.contains(day)) {
      throw new InvalidInputException("the features output " + where + " has no examples at " + logicalDate
          + " (it has " + days.stream().map(d -> LocalDate.ofEpochDay(d).toString()).toList()
          + "): run the features task for the scoring date");
    }
    return day;
  }

  /** Scores in rank order: 1 = highest score; equal scores by entity id (the matrix's row order). */
  public static List<Score> rank(ExampleMatrix matrix, double[] scores, String modelId, int day) {
    int[] order = Ranking.descending(scores);
    List<Score> ranked = new ArrayList<>(order.length);
    for (int i = 0; i < order.length; i++) {
      int r = order[i];
      ranked.add(Score.newBuilder()
          .setEntityId(matrix.entityIds()[r])
          .setScore(scores[r])
          .setRank(i + 1)
          .setModelId(modelId)
          .setScoreDay(day)
          .build());
    }
    return ranked;
  }

  private static OutputFile writeRecords(TaskOutput output, List<Score> scores) {
    String file = SCORES + "-00000-of-00001.tfrecord";
    try (TfRecordFiles.Writer writer = new TfRecordFiles.Writer(output.staging(file))) {
      for (Score s : scores) {
        writer.write(s.toByteArray());
      }
    } catch (IOException e) {
      throw new RunFailedException("cannot write the scores: " + e.getMessage(), e);
    }
    return OutputFile.newBuilder().setName(SCORES).setPath(file).setRecords(scores.size())
        .setRecordType(Score.getDescriptor().getFullName()).build();
  }

  static String csv(List<Score> scores) {
    StringBuilder csv = new StringBuilder("entity_id,score,rank,model_id,score_day\n");
    for (Score s : scores) {
      csv.append(TrainPipeline.csvField(s.getEntityId())).append(',').append(s.getScore()).append(',')
          .append(s.getRank()).append(',').append(s.getModelId()).append(',')
          .append(LocalDate.ofEpochDay(s.getScoreDay())).append('\n');
    }
    return csv.toString();
  }
}
