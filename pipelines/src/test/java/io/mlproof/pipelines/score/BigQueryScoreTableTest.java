package io.mlproof.pipelines.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.proto.v1.Score;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BigQuery cannot run here, so the write goes through Beam's own BigQuery fakes (a fake dataset
 * service and a fake job service that runs the load job). The fake truncates a whole table where
 * BigQuery would truncate only the day's partition, so only one day is written here.
 */
class BigQueryScoreTableTest {

  @Test
  void loadsTheDayIntoAPartitionedTable(@TempDir Path tmp) throws Exception {
    FakeDatasetService.setUp();
    FakeJobService.setUp();
    FakeDatasetService datasets = new FakeDatasetService();
    datasets.createDataset("proj", "marketing", "", "", null);
    FakeBigQueryServices services = new FakeBigQueryServices()
        .withDatasetService(datasets)
        .withJobService(new FakeJobService());
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setTempLocation(tmp.toString());
    List<Score> scores = List.of(
        Score.newBuilder().setEntityId("u2").setScore(0.9).setRank(1).setModelId("m-1").setScoreDay(19920).build(),
        Score.newBuilder().setEntityId("u1").setScore(0.4).setRank(2).setModelId("m-1").setScoreDay(19920).build());

    new BigQueryScoreTable("proj", "marketing", options, services).replaceDay("churn_scores", 19920, scores);

    Table table = datasets.getTable(new TableReference().setProjectId("proj").setDatasetId("marketing")
        .setTableId("churn_scores"));
    assertThat(table.getTimePartitioning().getField()).isEqualTo("score_day");
    assertThat(table.getSchema().getFields()).extracting(f -> f.getName() + ":" + f.getType())
        .containsExactly("entity_id:STRING", "score:FLOAT64", "rank:INT64", "model_id:STRING", "score_day:DATE");
    List<TableRow> rows = datasets.getAllRows("proj", "marketing", "churn_scores");
    rows.sort(Comparator.comparing(r -> r.get("entity_id").toString()));
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).get("entity_id")).isEqualTo("u1");
    assertThat(rows.get(0).get("score_day")).isEqualTo("2024-07-16");
    assertThat(String.valueOf(rows.get(1).get("rank"))).isEqualTo("1");
    assertThat(Double.parseDouble(String.valueOf(rows.get(1).get("score")))).isEqualTo(0.9);
  }

  @Test
  void warehouseMustNameProjectAndDataset() {
    assertThatThrownBy(() -> BigQueryScoreTable.forWarehouse("bigquery:proj", PipelineOptionsFactory.create()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--warehouse=bigquery:proj is not bigquery:<project>.<dataset>");
  }
}
