package io.mlproof.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.state.DagRunState;
import io.mlproof.orchestrator.state.RunType;
import io.mlproof.orchestrator.state.TaskInstance;
import io.mlproof.orchestrator.state.TaskState;
import io.mlproof.orchestrator.testing.HarnessTest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code kind: sql_sensor} against a real DuckDB warehouse file. */
class SqlSensorTest extends HarnessTest {
  private Path warehouse;

  @BeforeEach
  void warehouseWithOneDayLanded() throws SQLException {
    warehouse = tmp.resolve("w.duckdb");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE events (event_at TIMESTAMP, country VARCHAR)");
      s.execute("INSERT INTO events VALUES (TIMESTAMP '2024-01-08 10:00:00', 'DE')");
    }
  }

  private Dag dag(String id, String sql, String extra) {
    return h.dag(
        id,
        "dag_id: "
            + id
            + "\nschedule: \"0 0 * * 1\"\n"
            + "params:\n  country: {type: string, default: \"DE\"}\n"
            + "tasks:\n"
            + "  - id: landed\n    kind: sql_sensor\n    warehouse: \"duckdb:"
            + warehouse
            + "\"\n"
            + "    poke_interval: 100ms\n    timeout: 400ms\n    retries: 2\n"
            + extra
            + "    sql: \""
            + sql
            + "\"\n"
            + "  - id: after\n    kind: bash\n    depends_on: [landed]\n"
            + "    command: echo after >> "
            + h.file("trace.txt")
            + "\n");
  }

  private static final String DAYS_ROWS =
      "SELECT count(*) FROM {{ table('events') }} WHERE event_at >= {{ data_interval_start }}"
          + " AND event_at < {{ data_interval_end }} AND country = {{ params.country }}";

  @Test
  void succeedsWhenThePartitionHasLandedAndTheDownstreamRuns() {
    RunResult result = h.run(dag("landed_day", DAYS_ROWS, ""), "2024-01-08");
    assertThat(result.state()).isEqualTo(DagRunState.SUCCESS);
    assertThat(h.task(result, "landed").state()).isEqualTo(TaskState.SUCCESS);
    assertThat(h.lines("trace.txt")).containsExactly("after");
  }

  @Test
  void isSkippedAtItsTimeoutWithSoftFailWhenNothingLanded() {
    RunResult result = h.run(dag("empty_day", DAYS_ROWS, "    soft_fail: true\n"), "2024-01-15");
    TaskInstance landed = h.task(result, "landed");
    assertThat(landed.state()).isEqualTo(TaskState.SKIPPED);
    // The dates and the param reach the query as typed literals.
    assertThat(landed.message())
        .hasValue(
            "sensor timed out after 400ms waiting for `SELECT count(*) FROM"
                + " \"events\" WHERE event_at >= TIMESTAMP '2024-01-15 00:00:00' AND event_at < TIMESTAMP"
                + " '2024-01-22 00:00:00' AND country = 'DE'`");
    assertThat(h.lines("trace.txt")).isEmpty();
  }

  @Test
  void failsWithoutRetryAtItsTimeoutWithoutSoftFail() {
    RunResult result = h.run(dag("late_day", DAYS_ROWS, ""), "2024-01-15");
    TaskInstance landed = h.task(result, "landed");
    assertThat(result.state()).isEqualTo(DagRunState.FAILED);
    assertThat(landed.state()).isEqualTo(TaskState.FAILED);
    assertThat(landed.tryNumber()).isEqualTo(1);
    assertThat(h.task(result, "after").state()).isEqualTo(TaskState.UPSTREAM_FAILED);
  }

  /** A --conf value is a typed literal or nothing: it can never change the query's shape. */
  @Test
  void aParamThatIsNotASafeLiteralFailsWithoutRetry() {
    Dag dag = dag("injected", DAYS_ROWS, "");
    RunResult result =
        h.runner()
            .run(
                dag,
                LocalDate.parse("2024-01-08"),
                RunType.MANUAL,
                RunConf.resolve(dag, "{\"country\": \"DE' OR 1=1 --\"}"));
    TaskInstance landed = h.task(result, "landed");
    assertThat(landed.state()).isEqualTo(TaskState.FAILED);
    assertThat(landed.tryNumber()).isEqualTo(1);
    assertThat(landed.message().orElseThrow())
        .startsWith("template task landed sql line 1: params.country")
        .contains("has characters not allowed in SQL text");
  }

  @Test
  void aMissingTableFailsWithoutRetryNamingIt() {
    RunResult result =
        h.run(dag("no_table", "SELECT count(*) FROM {{ table('payments') }}", ""), "2024-01-08");
    TaskInstance landed = h.task(result, "landed");
    assertThat(landed.state()).isEqualTo(TaskState.FAILED);
    assertThat(landed.tryNumber()).isEqualTo(1);
    assertThat(landed.message().orElseThrow())
        .startsWith("table 'payments' does not exist in duckdb:")
        .endsWith("(it has: events): load it, or point --warehouse at the right warehouse");
  }
}
