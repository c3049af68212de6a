package io.mlproof.pipelines.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.sql.RenderedSql;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BigQuery path against Beam's BigQuery fakes (see {@link BigQueryFakes}): no BigQuery can run
 * here. docs/WAREHOUSE.md has the command for a real project.
 */
class BigQueryWarehouseTest {

  @TempDir Path tmp;
  final transient TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(true);

  @Test
  void readsAQueryResultThroughTheStorageReadApi() throws Exception {
    BigQueryFakes fakes = new BigQueryFakes();
    BigQueryFakes.CannedQuery query = BigQueryEvents.canned(fakes, 1024);
    BigQueryWarehouse warehouse =
        BigQueryWarehouse.of(BigQueryFakes.PROJECT, BigQueryFakes.DATASET)
            .withTestServices(BigQueryEvents.services(fakes))
            .withApi(fakes.api(List.of("events")));

    GcpOptions options = p.getOptions().as(GcpOptions.class);
    options.setProject(BigQueryFakes.PROJECT);
    options.setTempLocation(tmp.toString());
    // The fake job service runs "queries" whose text is their encoded result.
    PCollection<ResultRow> rows =
        p.apply(
            warehouse.read(
                new RenderedSql("canned.sql", query.text(), Set.of()),
                SqlRowMapper.copy(),
                ResultRowCoder.of()));
    PAssert.that(rows).containsInAnyOrder(BigQueryEvents.EXPECTED);
    p.run().waitUntilFinish();
  }

  @Test
  void dryRunReportsTheBytesAQueryWouldScan() throws Exception {
    BigQueryFakes fakes = new BigQueryFakes();
    BigQueryFakes.CannedQuery query = BigQueryEvents.canned(fakes, 123_456_789L);
    BigQueryWarehouse warehouse =
        BigQueryWarehouse.of(BigQueryFakes.PROJECT, BigQueryFakes.DATASET)
            .withApi(fakes.api(List.of("events", "users")));

    DryRun dryRun = warehouse.check(new RenderedSql("canned.sql", query.text(), Set.of("events")));
    assertThat(dryRun.bytesProcessed()).hasValue(123_456_789L);
    assertThat(dryRun.columnNames())
        .containsExactly("event_id", "user_id", "event_type", "event_at", "amount");

    assertThatThrownBy(
            () -> warehouse.check(new RenderedSql("canned.sql", query.text(), Set.of("orders"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "table 'orders' does not exist in bigquery:test-project.analytics (it has: events, users):"
                + " load it, or point --warehouse at the right warehouse");
    assertThatThrownBy(
            () -> warehouse.dryRun(new RenderedSql("t.sql", "SELECT nonsense", Set.of())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template t.sql does not run on BigQuery (Syntax error: the fake knows no such query): fix the template");
  }

  @Test
  void tablesAreBacktickQuotedAndQualified() {
    BigQueryWarehouse warehouse = BigQueryWarehouse.of("my-project", "analytics");
    assertThat(warehouse.tableReference("events")).isEqualTo("`my-project.analytics.events`");
    assertThatThrownBy(() -> warehouse.tableReference("events` WHERE 1=1 --"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("is not a plain identifier");
  }

  @Test
  void anUnreachableDatasetIsAOneLineError() throws Exception {
    BigQueryFakes fakes = new BigQueryFakes();
    fakes.api(List.of()).checkDataset(); // the dataset the fakes hold is reachable
    BigQueryWarehouse missing =
        BigQueryWarehouse.of(BigQueryFakes.PROJECT, "nope").withApi(fakes.api("nope", List.of()));
    assertThatThrownBy(missing::checkAvailable)
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("BigQuery dataset test-project.nope is not reachable (")
        .hasMessageEndingWith(
            "): check the project and dataset names, run `gcloud auth application-default"
                + " login`, or pass --warehouse=duckdb:<file>");
  }
}
