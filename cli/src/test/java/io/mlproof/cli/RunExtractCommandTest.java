package io.mlproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlproof run extract} as users call it: exit codes and the one line they read. */
class RunExtractCommandTest {

  @TempDir Path tmp;
  private Path warehouse;

  @BeforeEach
  void setUp() throws Exception {
    warehouse = Cli.usersWarehouse(tmp.resolve("w.duckdb"));
  }

  private record Result(int exitCode, String stderr) {}

  private Result mlproof(String... args) {
    Cli.Result result = Cli.run(args);
    return new Result(result.exitCode(), result.stderr());
  }

  private String[] extract(String warehouseSpec, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "extract",
                "--warehouse=" + warehouseSpec,
                "--output=" + tmp.resolve("out"),
                "--recordType=events",
                "--logicalDate=2024-01-07"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  @Test
  void missingWarehouseFileExitsTwoWithOneLine() {
    Path missing = tmp.resolve("nope.duckdb");
    Result result = mlproof(extract("duckdb:" + missing));
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr())
        .isEqualTo(
            "mlproof: warehouse file "
                + missing
                + " does not exist: run `mlproof demo"
                + " init` or pass --warehouse=duckdb:<path to .duckdb file>"
                + System.lineSeparator());
  }

  @Test
  void missingTableExitsTwoNamingIt() {
    Result result = mlproof(extract("duckdb:" + warehouse));
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr())
        .isEqualTo(
            "mlproof: table 'events' does not exist in duckdb:"
                + warehouse
                + " (it has: users): load it, or point --warehouse at the right warehouse"
                + System.lineSeparator());
  }

  @Test
  void malformedTemplateExitsTwoWithFileAndLine() throws Exception {
    Path template =
        Files.writeString(
            tmp.resolve("bad.sql"), "SELECT *\nFROM {{ table('users') }}\nWHERE d = {{ ds");
    Result result = mlproof(extract("duckdb:" + warehouse, "--template=" + template));
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr())
        .isEqualTo(
            "mlproof: template "
                + template
                + " line 3: '{{' is not closed: close it with '}}'"
                + System.lineSeparator());
  }

  @Test
  void badOptionsExitTwo() {
    assertThat(mlproof(extract("postgres://db")).stderr())
        .isEqualTo(
            "mlproof: --warehouse=postgres://db is not a"
                + " warehouse: use duckdb:<path to .duckdb file> or bigquery:<project>.<dataset>"
                + System.lineSeparator());
    Result unknown = mlproof(extract("duckdb:" + warehouse, "--nope=1"));
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.stderr())
        .startsWith("mlproof: ")
        .contains("nope")
        .endsWith("(see: mlproof run extract --help)" + System.lineSeparator())
        .hasLineCount(1);
  }

  @Test
  void tooManyBadRowsExitsOne() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE events (event_id BIGINT, user_id BIGINT, event_type VARCHAR, event_at TIMESTAMP,"
              + " amount DECIMAL(12,2))");
      s.execute(
          "INSERT INTO events VALUES (1, 1, 'page_view', TIMESTAMP '2024-01-07 10:00:00', NULL),"
              + " (2, 1, 'teleport', TIMESTAMP '2024-01-07 11:00:00', NULL)");
    }
    Result result = mlproof(extract("duckdb:" + warehouse));
    assertThat(result.exitCode()).isEqualTo(1);
    // Beam's INFO logging (slf4j-simple, the CLI's logger) precedes it on stderr; mlproof's line is
    // last.
    List<String> lines = result.stderr().lines().toList();
    assertThat(lines.get(lines.size() - 1))
        .startsWith(
            "mlproof: extract events: 1 of 2 rows were bad (50.00%: UNKNOWN_EVENT_TYPE 1), above"
                + " --maxBadFraction=0.01; nothing committed");
    assertThat(tmp.resolve("out").resolve("manifest.json")).doesNotExist();
  }
}
