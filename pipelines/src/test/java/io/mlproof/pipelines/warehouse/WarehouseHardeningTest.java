package io.mlproof.pipelines.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.sql.RenderedSql;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 9, connection side: whatever SQL reaches a DuckDB warehouse read cannot write,
 * touch other files or change the connection's settings, and runs as one statement. The payloads
 * are the probe's: COPY TO a file, ATTACH another database read-write, DROP TABLE, a second
 * statement after a string that ends in a backslash.
 */
class WarehouseHardeningTest {

  @TempDir Path tmp;
  private Path file;
  private Path victim;
  private Path secret;
  private Warehouse warehouse;

  @BeforeEach
  void setUp() throws Exception {
    file =
        DuckDbFixture.create(
            tmp.resolve("w.duckdb"),
            "INSERT INTO events VALUES (1, 10, 'purchase', TIMESTAMP '2024-01-07 10:00:00', 12.34)");
    victim = tmp.resolve("victim.duckdb");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + victim);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE payroll AS SELECT 42 AS salary");
    }
    secret = Files.writeString(tmp.resolve("secret.csv"), "password\nhunter2\n");
    warehouse = Warehouse.parse("duckdb:" + file);
  }

  private static RenderedSql sql(String text) {
    return new RenderedSql("probe.sql", text, Set.of());
  }

  private static long count(Path db, String table) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void payloadsThatWriteOrTouchOtherFilesAreRefused() throws Exception {
    Path leak = tmp.resolve("leak.csv");
    List<String> payloads =
        List.of(
            "COPY events TO '" + leak + "'",
            "ATTACH '" + victim + "' AS v (READ_WRITE)",
            "SELECT * FROM read_csv('" + secret + "')",
            "DROP TABLE events",
            "INSERT INTO events VALUES (2, 10, 'purchase', TIMESTAMP '2024-01-07 11:00:00', 1)",
            "SET enable_external_access = true");
    List<String> twoStatements =
        List.of(
            "SELECT 1; DROP TABLE events",
            "SELECT 'a\\'; DROP TABLE events; --'",
            "SELECT 1 /* ; */; ATTACH '" + victim + "' AS v (READ_WRITE)");
    for (String payload : payloads) {
      assertThatThrownBy(() -> warehouse.queryRows(sql(payload)))
          .as(payload)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageStartingWith("template probe.sql does not run on DuckDB (");
      assertThatThrownBy(() -> warehouse.queryTable(sql(payload)))
          .as(payload)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageStartingWith("template probe.sql does not run on DuckDB (");
      try {
        warehouse.dryRun(
            sql(payload)); // prepares and explains, runs nothing: checked by the effects below
      } catch (InvalidInputException refused) {
        assertThat(refused).hasMessageStartingWith("template probe.sql ");
      }
    }
    for (String payload : twoStatements) {
      assertThatThrownBy(() -> warehouse.queryRows(sql(payload)))
          .as(payload)
          .hasMessageStartingWith("template probe.sql holds more than one SQL statement");
      assertThatThrownBy(() -> warehouse.dryRun(sql(payload)))
          .as(payload)
          .hasMessageStartingWith("template probe.sql holds more than one SQL statement");
      assertThatThrownBy(() -> warehouse.queryTable(sql(payload)))
          .as(payload)
          .hasMessageStartingWith("template probe.sql holds more than one SQL statement");
    }
    assertThat(leak).doesNotExist();
    assertThat(count(file, "events")).isEqualTo(1);
    assertThat(count(victim, "payroll")).isEqualTo(1);
  }

  @Test
  void aSecondStatementIsNamedInTheError() {
    assertThatThrownBy(() -> warehouse.queryRows(sql("SELECT 1; DROP TABLE events")))
        .hasMessage(
            "template probe.sql holds more than one SQL statement (a ';' at offset 8 is followed by more"
                + " SQL): a warehouse query runs one statement; remove the rest");
  }

  @Test
  void aSemicolonInTextOrATrailingOneIsStillOneStatement() {
    assertThat(
            warehouse.queryRows(
                sql("SELECT ';' AS a, \"event_id\" AS \"b;c\" FROM events -- ; DROP\n;  \n")))
        .extracting(r -> r.get("a") + "|" + r.get("b;c"))
        .containsExactly(";|1");
  }

  @Test
  void aPipelineReadIsHardenedToo() {
    Path leak = tmp.resolve("leak.csv");
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply(
        warehouse.read(
            sql("COPY events TO '" + leak + "'"), SqlRowMapper.copy(), ResultRowCoder.of()));
    assertThatThrownBy(p::run)
        .hasStackTraceContaining("file system operations are disabled by configuration");
    assertThat(leak).doesNotExist();
    assertThatThrownBy(
            () ->
                warehouse.read(sql("SELECT 1; SELECT 2"), SqlRowMapper.copy(), ResultRowCoder.of()))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void bigQueryStringsEscapeWithABackslashDuckDbStringsDoNot() {
    String sql = "SELECT 'a\\'; DROP TABLE t; --'";
    assertThat(SingleStatement.firstStatementEnd(sql, false)).isEqualTo(11);
    assertThat(SingleStatement.firstStatementEnd(sql, true)).isEqualTo(-1);
    assertThat(SingleStatement.firstStatementEnd("SELECT `a;b`, 'it''s;' FROM t;", true))
        .isEqualTo(-1);
  }
}
