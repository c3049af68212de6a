package io.mlproof.pipelines.score;

import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TableSchema;
import com.google.api.services.bigquery.model.TimePartitioning;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.StageRun;
import io.mlproof.pipelines.sql.SqlIdentifiers;
import io.mlproof.proto.v1.Score;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * {@link ScoreTable} in BigQuery: a day-partitioned table (by {@code score_day}) written with a
 * load job to the day's partition ({@code table$YYYYMMDD}, WRITE_TRUNCATE), which replaces that
 * day and nothing else. Needs {@code --tempLocation} (gs://) for the load files.
 */
public final class BigQueryScoreTable implements ScoreTable {
  static final TableSchema SCHEMA = new TableSchema().setFields(List.of(
      new TableFieldSchema().setName("entity_id").setType("STRING").setMode("REQUIRED"),
      new TableFieldSchema().setName("score").setType("FLOAT64").setMode("REQUIRED"),
      new TableFieldSchema().setName("rank").setType("INT64").setMode("REQUIRED"),
      new TableFieldSchema().setName("model_id").setType("STRING").setMode("REQUIRED"),
      new TableFieldSchema().setName("score_day").setType("DATE").setMode("REQUIRED")));

  private final String project;
  private final String dataset;
  private final PipelineOptions options;
  private final BigQueryServices testServices;

  /** @param testServices Beam's BigQuery fakes in tests (nothing real can run here); null in production */
  BigQueryScoreTable(String project, String dataset, PipelineOptions options, BigQueryServices testServices) {
    this.project = project;
    this.dataset = dataset;
    this.options = options;
    this.testServices = testServices;
  }

  /** The table for a {@code bigquery:<project>.<dataset>} warehouse. */
  public static BigQueryScoreTable forWarehouse(String warehouse, PipelineOptions options) {
    String spec = warehouse.substring("bigquery:".length());
    int dot = spec.indexOf('.');
    if (dot <= 0 || dot == spec.length() - 1 || spec.indexOf('.', dot + 1) >= 0) {
      throw new InvalidInputException("--warehouse=" + warehouse + " is not bigquery:<project>.<dataset>");
    }
    return new BigQueryScoreTable(spec.substring(0, dot), spec.substring(dot + 1), options, null);
  }

  @Override
  public void check(String table) {
    SqlIdentifiers.checkName(table, "--scoresTable");
  }

  @Override
  public void replaceDay(String table, int scoreDay, List<Score> scores) {
    LocalDate day = LocalDate.ofEpochDay(scoreDay);
    BigQueryIO.Write<TableRow> write = BigQueryIO.writeTableRows()
        .to(project + ":" + dataset + "." + table + "$" + day.format(DateTimeFormatter.BASIC_ISO_DATE))
        .withSchema(SCHEMA)
        .withTimePartitioning(new TimePartitioning().setType("DAY").setField("score_day"))
        .withCreateDisposition(BigQueryIO.Write.CreateDisposition.CREATE_IF_NEEDED)
        .withWriteDisposition(BigQueryIO.Write.WriteDisposition.WRITE_TRUNCATE)
        .withMethod(BigQueryIO.Write.Method.FILE_LOADS);
    if (testServices != null) {
      write = write.withTestServices(testServices).withoutValidation();
    }
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("Scores", Create.of(scores).withCoder(ProtoCoder.of(Score.class)))
        .apply("ToTableRows", MapElements.into(TypeDescriptor.of(TableRow.class)).via(BigQueryScoreTable::row))
        .apply("WriteDay", write);
    StageRun.run(pipeline);
  }

  static TableRow row(Score s) {
    return new TableRow()
        .set("entity_id", s.getEntityId())
        .set("score", s.getScore())
        .set("rank", s.getRank())
        .set("model_id", s.getModelId())
        .set("score_day", LocalDate.ofEpochDay(s.getScoreDay()).toString());
  }
}
