package io.mlproof.pipelines.ab;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.services.bigquery.model.TableRow;
import io.mlproof.pipelines.warehouse.BigQueryFakes;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.Assignment;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * assign's tables on BigQuery: a load job per table into the experiment's own table, through Beam's
 * BigQuery fakes (FakeDatasetService and FakeJobService, which runs load jobs): a fake, because no
 * BigQuery is reachable here. A re-run of the experiment replaces its rows; another experiment's
 * tables are untouched.
 */
class AbTablesBigQueryTest {
  @TempDir Path tmp;

  @Test
  void assignWritesEachExperimentsAssignmentsAndTargetsIntoTablesOfTheirOwn() throws Exception {
    BigQueryFakes fakes = new BigQueryFakes();
    Warehouse warehouse = fakes.warehouse();
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setTempLocation(tmp.toString());
    AbTables tables = AbTables.check(warehouse, "ab_assignments", "ab_targets");

    tables.replace(
        "exp1",
        List.of(
            assignment("exp1", "u1", "treatment", true, 0.9, 1),
            assignment("exp1", "u2", "control", true, 0.8, 2),
            assignment("exp1", "u3", "control", false, Double.NaN, 0)),
        options);
    tables.replace("exp2", List.of(assignment("exp2", "u1", "control", false, 0.9, 1)), options);
    // exp1 again, after a fix: its rows are replaced, exp2's stay.
    tables.replace(
        "exp1",
        List.of(
            assignment("exp1", "u1", "treatment", true, 0.9, 1),
            assignment("exp1", "u4", "treatment", true, 0.7, 3)),
        options);

    assertThat(rows(fakes, "ab_assignments__exp1"))
        .containsExactly("exp1|u1|treatment|true|true|0.9|1", "exp1|u4|treatment|true|true|0.7|3");
    assertThat(rows(fakes, "ab_targets__exp1"))
        .containsExactly("exp1|u1|treatment|0.9|1", "exp1|u4|treatment|0.7|3");
    assertThat(rows(fakes, "ab_assignments__exp2"))
        .containsExactly("exp2|u1|control|false|false|0.9|1");
  }

  private static Assignment assignment(
      String experiment, String id, String arm, boolean flagged, double score, long rank) {
    return Assignment.newBuilder()
        .setExperimentId(experiment)
        .setEntityId(id)
        .setArm(arm)
        .setBucket(7)
        .setFlagged(flagged)
        .setTargeted(flagged && !arm.equals("control"))
        .setScore(score)
        .setRank(rank)
        .build();
  }

  private static List<String> rows(BigQueryFakes fakes, String table) throws Exception {
    List<TableRow> rows =
        fakes.datasets().getAllRows(BigQueryFakes.PROJECT, BigQueryFakes.DATASET, table);
    return rows.stream()
        .sorted(Comparator.comparing(r -> r.get("entity_id").toString()))
        .map(
            r ->
                r.containsKey("bucket")
                    ? r.get("experiment_id")
                        + "|"
                        + r.get("entity_id")
                        + "|"
                        + r.get("arm")
                        + "|"
                        + r.get("flagged")
                        + "|"
                        + r.get("targeted")
                        + "|"
                        + r.get("score")
                        + "|"
                        + r.get("rank")
                    : r.get("experiment_id")
                        + "|"
                        + r.get("entity_id")
                        + "|"
                        + r.get("arm")
                        + "|"
                        + r.get("score")
                        + "|"
                        + r.get("rank"))
        .toList();
  }
}
