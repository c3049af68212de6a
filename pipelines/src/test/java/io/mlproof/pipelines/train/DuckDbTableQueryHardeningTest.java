package io.mlproof.pipelines.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 9 for train's {@code --examplesQuery}: it runs on the warehouse's hardened read
 * connection, so the query can read its own tables but not write, reach other files or run a
 * second statement.
 */
class DuckDbTableQueryHardeningTest {

  @TempDir Path tmp;
  private Path warehouse;
  private Path victim;
  private DuckDbTableQuery query;

  @BeforeEach
  void setUp() throws Exception {
    warehouse = tmp.resolve("w.duckdb");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE people AS SELECT * FROM (VALUES (1, 'yes'), (2, 'no')) t(id, churned)");
    }
    victim = tmp.resolve("victim.duckdb");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + victim); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE payroll AS SELECT 42 AS salary");
    }
    query = DuckDbTableQuery.forWarehouse("duckdb:" + warehouse);
  }

  @Test
  void readsItsOwnTables() {
    assertThat(query.run("SELECT id, churned FROM people ORDER BY id").rows()).isEqualTo(2);
  }

  @Test
  void cannotWriteAFile() {
    Path leak = tmp.resolve("leak.csv");
    // DuckDB's driver runs every statement of the string and returns the last one's result.
    assertThatThrownBy(() -> query.run("COPY people TO '" + leak + "'; SELECT * FROM people"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("more than one SQL statement");
    assertThat(leak).doesNotExist();
  }

  @Test
  void cannotReadOtherFiles() throws Exception {
    // A plain SELECT: only the connection's enable_external_access=false stops it.
    Path secret = Files.writeString(tmp.resolve("secret.csv"), "password\nhunter2\n");
    assertThatThrownBy(() -> query.run("SELECT * FROM read_csv('" + secret + "')"))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void cannotAttachAndDropAnotherDatabase() throws Exception {
    assertThatThrownBy(
            () -> query.run("ATTACH '" + victim + "' AS v (READ_WRITE); DROP TABLE v.payroll; SELECT 1 AS x"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("more than one SQL statement");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + victim); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM payroll")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(1);
    }
  }
}
