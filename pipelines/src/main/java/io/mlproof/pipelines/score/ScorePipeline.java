package io.mlproof.pipelines.score;

import io.mlproof.pipelines.bless.Blessings;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.OptionsParser;
import io.mlproof.pipelines.core.Stage;
import io.mlproof.pipelines.core.StageRun;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.features.FeatureSpecs;
import io.mlproof.pipelines.model.CsvFields;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.pipelines.warehouse.TableWrite;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.pipelines.warehouse.WarehouseTable;
import io.mlproof.proto.v1.Blessing;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import io.mlproof.proto.v1.Score;
import java.io.PrintStream;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;

/**
 * {@code mlproof run score}: every entity in the features output at the scoring date gets a score
 * from a blessed model and a rank (1 = most likely to churn, ties by entity id), written as Score
 * records, a CSV for people and a warehouse table for the marketing team.
 *
 * <p>A Beam pipeline: {@link ScoreExamples} is a ParDo that loads the model once per worker and
 * predicts in batches, so scoring scales out on Flink; {@link RankScores} brings the scores to one
 * worker to rank them and write the ranked files. The warehouse table is written once, by the
 * driver, after the pipeline succeeded, so it never holds a half-scored day.
 */
public final class ScorePipeline implements Stage<ScoreOptions> {
  public static final String NAME = "score";
  public static final String SCORES = "scores";
  public static final String SCORES_CSV = "scores.csv";

  /** The shard name of the ranked scores: one file, in rank order. */
  static final String SCORES_FILE = SCORES + "-00000-of-00001.tfrecord";

  /** The name of a features output's example records in its manifest. */
  static final String EXAMPLES = "records";

  /** Where the marketing team finds the list (--scoresTable), one day replaced per run. */
  static final WarehouseTable SCORES_TABLE =
      new WarehouseTable(
          "scores",
          "scores",
          List.of(
              WarehouseTable.Column.required("entity_id", WarehouseTable.ColumnType.STRING),
              WarehouseTable.Column.required("score", WarehouseTable.ColumnType.DOUBLE),
              WarehouseTable.Column.required("rank", WarehouseTable.ColumnType.INT64),
              WarehouseTable.Column.required("model_id", WarehouseTable.ColumnType.STRING),
              WarehouseTable.Column.required("score_day", WarehouseTable.ColumnType.DATE)),
          "score_day");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Score every entity at a date with a blessed model and write the ranked list to the run"
        + " directory and a warehouse table.";
  }

  @Override
  public Class<ScoreOptions> optionsType() {
    return ScoreOptions.class;
  }

  /** The scores written, in rank order. */
  public record Result(List<Score> scores, Manifest manifest) {}

  public static Result run(ScoreOptions options, PrintStream out) {
    Manifest manifest = StageRun.execute(new ScorePipeline(), options, out);
    return new Result(readScores(TaskOutput.filePattern(options.getOutput(), SCORES)), manifest);
  }

  /** Parses {@code args} as score's options (one-line errors, exit 2). */
  public static ScoreOptions parse(String[] args) {
    return OptionsParser.parse(NAME, args, ScoreOptions.class);
  }

  @Override
  public Plan prepare(ScoreOptions options) {
    Warehouse warehouse = null;
    WarehouseTable table = SCORES_TABLE.named(options.getScoresTable());
    if (!options.getScoresTable().isEmpty()) {
      warehouse = Warehouse.from(options);
      warehouse.checkWritable(table, "--scoresTable");
    }
    Optional<Blessing> blessing =
        Blessings.requireBlessed(options.getModel(), options.getAllowUnblessed());
    ModelArtifact model = ModelArtifact.load(options.getModel());
    blessing.ifPresent(b -> Blessings.requireSameModel(b, model, options.getModel()));
    Manifest features = TaskOutput.read(options.getExamples());
    if (features.getFilesList().stream()
        .anyMatch(f -> f.getName().equals(FeatureSpecs.OUTPUT_NAME))) {
      model.checkSpec(
          FeatureSpecs.hash(FeatureSpecs.fromFeaturesOutput(options.getExamples())),
          options.getExamples());
    }
    String examples = TaskOutput.verifiedFilePattern(options.getExamples(), EXAMPLES);
    long expected =
        features.getFilesList().stream()
            .filter(f -> f.getName().equals(EXAMPLES))
            .mapToLong(OutputFile::getRecords)
            .sum();
    ScoreExamples.Model scoring =
        new ScoreExamples.Model(
            options.getModel(),
            model.metadata().getModelSha256(),
            model.id(),
            model.metadata().getFeatureSpecHash(),
            model.metadata().getFeatureSpec().getFeaturesCount(),
            options.getNumThreads());
    Integer logicalDay = logicalDay(options.getLogicalDate());
    Optional<SortedSet<Integer>> recorded = ScoringDays.recorded(options.getExamples(), features);
    int day =
        recorded.isPresent() || logicalDay == null
            ? ScoringDays.choose(
                logicalDay,
                recorded.orElseGet(() -> ScoringDays.scan(examples)),
                options.getExamples())
            : logicalDay; // unverified until the run: finish() checks it found the day's examples
    // Flink copies every element between chained operators through its coder unless told not to;
    // the scoring DoFn never mutates the records it reads, so the copy would buy nothing. The
    // Direct runner ignores the option.
    options.as(FlinkPipelineOptions.class).setFasterCopy(true);
    return new ScorePlan(options, examples, expected, scoring, day, warehouse, table);
  }

  /** The logical date's day, or null to score the newest cutoff in the examples. */
  static Integer logicalDay(String logicalDate) {
    if (logicalDate == null || logicalDate.isEmpty()) {
      return null;
    }
    try {
      return (int) LocalDate.parse(logicalDate).toEpochDay();
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(
          "--logicalDate=" + logicalDate + " is not a date: use YYYY-MM-DD");
    }
  }

  private record ScorePlan(
      ScoreOptions options,
      String examples,
      long expectedExamples,
      ScoreExamples.Model model,
      int day,
      Warehouse warehouse,
      WarehouseTable table)
      implements Plan {

    @Override
    public void expand(Pipeline pipeline, TaskOutput output) {
      // One element per file: the scoring DoFn reads, decodes and predicts a whole file.
      List<String> files = TfRecordFiles.match(examples).stream().map(Object::toString).toList();
      pipeline
          .apply("ListExampleFiles", Create.of(files).withCoder(StringUtf8Coder.of()))
          .apply("ScoreExamples", new ScoreExamples(model, day, options.getExamples()))
          .apply(
              "RankScores",
              new RankScores(
                  new RankScores.Output(
                      output.staging(SCORES_FILE),
                      output.staging(SCORES_CSV),
                      model.id(),
                      day,
                      options.getExamples())));
    }

    @Override
    public void finish(
        StageRun.Finished finished, TaskOutput output, Manifest.Builder manifest, PrintStream out) {
      long read = finished.counters().getOrDefault(ScoreExamples.EXAMPLES_READ, 0L);
      if (expectedExamples > 0 && read != expectedExamples) {
        throw new InvalidInputException(
            "the examples at "
                + examples
                + " hold "
                + read
                + " records but their"
                + " manifest says "
                + expectedExamples
                + ": the files changed after they were written; re-run the"
                + " features task");
      }
      long scored = finished.counters().getOrDefault(ScoreExamples.ENTITIES_SCORED, 0L);
      if (scored == 0) {
        throw read == 0
            ? ScoringDays.noExamples(options.getExamples())
            : ScoringDays.missing(options.getExamples(), day, ScoringDays.scan(examples));
      }
      if (warehouse != null) {
        warehouse.replaceRows(
            List.of(tableWrite(table, day, readScores(output.staging(SCORES_FILE)))), options);
      }
      manifest
          .setRecordType(Score.getDescriptor().getFullName())
          .addFiles(
              OutputFile.newBuilder()
                  .setName(SCORES)
                  .setPath(SCORES_FILE)
                  .setRecords(scored)
                  .setRecordType(Score.getDescriptor().getFullName()))
          .addFiles(
              OutputFile.newBuilder().setName("scores_csv").setPath(SCORES_CSV).setRecords(scored))
          .putAttributes("model_id", model.id())
          .putAttributes("score_day", LocalDate.ofEpochDay(day).toString())
          .putAttributes("scores_table", options.getScoresTable());
      out.printf(
          "scored %d entities on %s with model %s%s%n",
          scored,
          LocalDate.ofEpochDay(day),
          model.id(),
          warehouse == null ? "" : "; table " + options.getScoresTable() + " updated");
    }
  }

  /**
   * The scores table's rows for one day: replaced as a whole, so a re-run does not duplicate them.
   */
  static TableWrite tableWrite(WarehouseTable table, int day, List<Score> scores) {
    LocalDate date = LocalDate.ofEpochDay(day);
    List<List<Object>> rows = new ArrayList<>(scores.size());
    for (Score s : scores) {
      rows.add(List.of(s.getEntityId(), s.getScore(), s.getRank(), s.getModelId(), date));
    }
    return new TableWrite(table, date, rows);
  }

  static List<Score> readScores(String pattern) {
    List<Score> scores = new ArrayList<>();
    TfRecordFiles.read(
        pattern,
        (bytes, length, file) ->
            scores.add(
                Score.parseFrom(
                    com.google.protobuf.CodedInputStream.newInstance(bytes, 0, length))));
    return scores;
  }

  static String csv(List<Score> scores) {
    StringBuilder csv = csvHeader();
    for (Score s : scores) {
      appendCsv(
          csv,
          s.getEntityId(),
          s.getScore(),
          s.getRank(),
          csvTail(s.getModelId(), s.getScoreDay()));
    }
    return csv.toString();
  }

  static StringBuilder csvHeader() {
    return new StringBuilder("entity_id,score,rank,model_id,score_day\n");
  }

  /** What ends every line of one run's CSV: the model id and the score day, the same for all. */
  static String csvTail(String modelId, int scoreDay) {
    return "," + modelId + "," + LocalDate.ofEpochDay(scoreDay) + "\n";
  }

  static void appendCsv(StringBuilder csv, String entityId, double score, long rank, String tail) {
    csv.append(CsvFields.field(entityId))
        .append(',')
        .append(score)
        .append(',')
        .append(rank)
        .append(tail);
  }
}
