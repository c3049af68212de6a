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

/**
 * Issue 10's DAG-side findings, each through the real CLI: runs bound to their run root and params
 * (item 8), SQL options rendered as typed literals (9), shell-quoted bash values (10), date and
 * duration bounds (12), and strict --conf (14). Each test failed on the code before the fix.
 */
class DagsGuardTest {

  private static final String DATE = "2024-01-08";

  @TempDir Path tmp;
  Path dags;
  Path runs;
  Path state;

  @BeforeEach
  void setUp() throws Exception {
    dags = Files.createDirectories(tmp.resolve("dags"));
    runs = tmp.resolve("runs");
    state = tmp.resolve("state.sqlite");
    Files.writeString(
        dags.resolve("defaults.yaml"),
        "start_date: 2024-01-01\ndefault_args:\n  retry_delay: 0s\n");
    Files.writeString(
        dags.resolve("hello.yaml"),
        """
        dag_id: hello
        schedule: "0 0 * * 1"
        params:
          who: world
          rate: 0.5
        tasks:
          - id: greet
            kind: bash
            command: printf '%s' {{ params.who }} > $MLPROOF_OUTPUT/greeting.txt
        """);
    Files.writeString(
        dags.resolve("fails.yaml"),
        """
        dag_id: fails
        schedule: "0 0 * * 1"
        params:
          n: 1
        tasks:
          - id: a
            kind: bash
            command: exit 3
        """);
  }

  /** {@code dags <command> <args>} on this test's folder, run root and state unless given. */
  private Cli.Result dags(String command, String... args) {
    List<String> all = new ArrayList<>(List.of("dags", command));
    all.addAll(List.of(args));
    all.addAll(List.of("--dags-folder", dags.toString(), "--state", state.toString()));
    if (!all.contains("--run-root")) {
      all.addAll(List.of("--run-root", runs.toString()));
    }
    return Cli.run(all.toArray(String[]::new));
  }

  // ---- item 8 -----------------------------------------------------------------------------------

  @Test
  void aRunCannotBeReportedOrResumedUnderAnotherRunRoot() throws Exception {
    assertThat(dags("run", "hello", "--logical-date", DATE).exitCode()).isZero();
    Path other = tmp.resolve("other");

    Cli.Result moved = dags("run", "hello", "--logical-date", DATE, "--run-root", other.toString());
    assertThat(moved.exitCode()).isEqualTo(2);
    assertThat(moved.err())
        .isEqualTo(
            "mlproof: hello "
                + DATE
                + " (success) ran with --run-root "
                + runs
                + ", not "
                + other
                + ": pass --run-root "
                + runs
                + ", or run `mlproof dags clear hello --logical-date "
                + DATE
                + "` first to run it again under the new run root\n");
    assertThat(other).doesNotExist();

    // Cleared whole, the run may move: it runs again under the new root.
    assertThat(
            dags("clear", "hello", "--logical-date", DATE, "--run-root", other.toString())
                .exitCode())
        .isZero();
    Cli.Result again = dags("run", "hello", "--logical-date", DATE, "--run-root", other.toString());
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.out()).contains("  outputs: " + other + "/hello/" + DATE + "\n");
    assertThat(Files.readString(other.resolve("hello/" + DATE + "/greet/greeting.txt")))
        .isEqualTo("world");
  }

  @Test
  void aFailedRunResumesOnlyWithTheSameParams() {
    assertThat(dags("run", "fails", "--logical-date", DATE, "--conf", "{\"n\": 2}").exitCode())
        .isEqualTo(1);

    Cli.Result mixed = dags("run", "fails", "--logical-date", DATE, "--conf", "{\"n\": 3}");
    assertThat(mixed.exitCode()).isEqualTo(2);
    assertThat(mixed.err())
        .isEqualTo(
            "mlproof: fails "
                + DATE
                + " (failed) ran with params {\"n\":2}, not"
                + " {\"n\":3}: pass the same --conf, or run `mlproof dags clear fails --logical-date "
                + DATE
                + "` first to run it again with the new params\n");

    Cli.Result same =
        dags("run", "fails", "--logical-date", DATE, "--conf", "{\"n\": 2}", "--output", "json");
    assertThat(same.exitCode()).isEqualTo(1);
    assertThat(same.out()).contains("\"try_number\":2");

    assertThat(dags("clear", "fails", "--logical-date", DATE).exitCode()).isZero();
    Cli.Result fresh = dags("run", "fails", "--logical-date", DATE, "--conf", "{\"n\": 3}");
    assertThat(fresh.exitCode()).as(fresh.err()).isEqualTo(1);
    assertThat(fresh.err()).doesNotContain("ran with params");
  }

  @Test
  void aStateFileFromBeforeRunRootsWereStoredIsMigrated() throws Exception {
    // The schema of dag_run and task_instance as mlproof wrote them before this change.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + state);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE dag_run (dag_id TEXT NOT NULL, logical_date TEXT NOT NULL, state TEXT NOT NULL,"
              + " run_type TEXT NOT NULL, conf TEXT NOT NULL, start_ms INTEGER, end_ms INTEGER,"
              + " PRIMARY KEY (dag_id, logical_date))");
      s.execute(
          "CREATE TABLE task_instance (dag_id TEXT NOT NULL, logical_date TEXT NOT NULL, task_id TEXT NOT NULL,"
              + " state TEXT NOT NULL, try_number INTEGER NOT NULL, max_tries INTEGER NOT NULL, start_ms INTEGER,"
              + " end_ms INTEGER, duration_ms INTEGER, output TEXT NOT NULL, log_file TEXT, message TEXT, pid INTEGER,"
              + " pid_start_ms INTEGER, hostname TEXT, PRIMARY KEY (dag_id, logical_date, task_id))");
      s.execute(
          "INSERT INTO dag_run VALUES ('hello', '"
              + DATE
              + "', 'success', 'manual',"
              + " '{\"rate\":0.5,\"who\":\"world\"}', 1, 2)");
      s.execute(
          "INSERT INTO task_instance (dag_id, logical_date, task_id, state, try_number, max_tries, output)"
              + " VALUES ('hello', '"
              + DATE
              + "', 'greet', 'success', 1, 1, '/old/root/hello/"
              + DATE
              + "/greet')");
    }
    Cli.Result result = dags("run", "hello", "--logical-date", DATE);
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .startsWith("mlproof: hello " + DATE + " (success) ran with --run-root /old/root, not ");
  }

  // ---- item 9 -----------------------------------------------------------------------------------

  private void writeTrainDag() throws Exception {
    Files.writeString(
        dags.resolve("byo.yaml"),
        """
        dag_id: byo
        schedule: "@daily"
        params:
          country: US
          min_days: 3
        tasks:
          - id: train
            pipeline: train
            options:
              warehouse: "duckdb:/nonexistent/w.duckdb"
              examplesQuery: "SELECT * FROM users WHERE country = {{ params.country }} AND days > {{ params.min_days }} AND day < {{ ds }}"
              labelColumn: churned
              positiveLabel: "1"
              idColumn: user_id
        """);
  }

  @Test
  void paramsInASqlOptionBecomeTypedSqlLiterals() throws Exception {
    writeTrainDag();
    Cli.Result shown = dags("show", "byo", "--logical-date", DATE, "--conf", "{\"min_days\": -1}");
    assertThat(shown.exitCode()).as(shown.err()).isZero();
    assertThat(shown.out())
        .contains(
            "      --examplesQuery=SELECT * FROM users WHERE country = 'US' AND days > (-1)"
                + " AND day < DATE '"
                + DATE
                + "'\n");

    Cli.Result injected =
        dags("show", "byo", "--logical-date", DATE, "--conf", "{\"country\": \"US' OR '1'='1\"}");
    assertThat(injected.exitCode()).isEqualTo(2);
    assertThat(injected.err())
        .isEqualTo(
            "mlproof: template option examplesQuery of task train line 1:"
                + " params.country 'US' OR '1'='1' has characters not allowed in SQL text (quotes, backslashes,"
                + " semicolons, newlines): use letters, digits, spaces and _ . , : @ / % + - only\n");

    // Run, the task fails without retry before any process starts.
    Cli.Result run =
        dags(
            "run",
            "byo",
            "--logical-date",
            DATE,
            "--conf",
            "{\"country\": \"x'; DROP TABLE users; --\"}");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("has characters not allowed in SQL text");
  }

  // ---- item 10 ----------------------------------------------------------------------------------

  @Test
  void bashCommandsGetParamsAsOneQuotedWord() throws Exception {
    String payload =
        "hi; touch $MLPROOF_OUTPUT/pwned; $(touch $MLPROOF_OUTPUT/pwned2) `id` 'q' \"d\" \\ *";
    Cli.Result run =
        dags(
            "run",
            "hello",
            "--logical-date",
            DATE,
            "--conf",
            new com.fasterxml.jackson.databind.ObjectMapper()
                .createObjectNode()
                .put("who", payload)
                .toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    Path output = runs.resolve("hello/" + DATE + "/greet");
    assertThat(Files.readString(output.resolve("greeting.txt"))).isEqualTo(payload);
    assertThat(output.resolve("pwned")).doesNotExist();
    assertThat(output.resolve("pwned2")).doesNotExist();
  }

  @Test
  void rawSplicesAValueIntoTheCommandOnPurpose() throws Exception {
    Files.writeString(
        dags.resolve("raw.yaml"),
        """
        dag_id: raw
        schedule: "@daily"
        params:
          redirect: "> $MLPROOF_OUTPUT/raw.txt"
        tasks:
          - id: a
            kind: bash
            command: echo spliced {{ params.redirect | raw }}
        """);
    Cli.Result run = dags("run", "raw", "--logical-date", DATE);
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(Files.readString(runs.resolve("raw/" + DATE + "/a/raw.txt"))).isEqualTo("spliced\n");
  }

  // ---- item 12 ----------------------------------------------------------------------------------

  @Test
  void datesOutsideTheSupportedRangeAreOneLineErrors() throws Exception {
    Cli.Result year10k = dags("run", "hello", "--logical-date", "+10000-01-01");
    assertThat(year10k.exitCode()).isEqualTo(2);
    assertThat(year10k.err())
        .isEqualTo(
            "mlproof: --logical-date '+10000-01-01' is not a valid date: use"
                + " YYYY-MM-DD, e.g. 2024-01-07\n");

    Cli.Result last = dags("run", "hello", "--logical-date", "9999-12-31");
    assertThat(last.exitCode()).isEqualTo(2);
    assertThat(last.err())
        .isEqualTo(
            "mlproof: --logical-date 9999-12-31 is outside the supported range"
                + " 1900-01-01..2999-12-31: use a date in it\n");

    Cli.Result backfill = dags("backfill", "hello", "--start", "2024-01-01", "--end", "3000-01-01");
    assertThat(backfill.exitCode()).isEqualTo(2);
    assertThat(backfill.err())
        .isEqualTo(
            "mlproof: --end 3000-01-01 is outside the supported range"
                + " 1900-01-01..2999-12-31: use a date in it\n");

    Path warehouse = Cli.usersWarehouse(tmp.resolve("w.duckdb"));
    Cli.Result extract =
        Cli.run(
            "run",
            "extract",
            "--warehouse=duckdb:" + warehouse,
            "--recordType=users",
            "--output=" + tmp.resolve("out"),
            "--logicalDate=9999-12-31");
    assertThat(extract.exitCode()).isEqualTo(2);
    assertThat(extract.lastLine())
        .isEqualTo(
            "mlproof: --logicalDate 9999-12-31 is outside the supported range"
                + " 1900-01-01..2999-12-31: use a date in it");
  }

  // ---- item 14 ----------------------------------------------------------------------------------

  @Test
  void confNumbersOutOfRangeAndDuplicateKeysAreRefused() {
    Cli.Result huge = dags("run", "hello", "--logical-date", DATE, "--conf", "{\"rate\": 1e400}");
    assertThat(huge.exitCode()).as(huge.err()).isEqualTo(2);
    assertThat(huge.err())
        .isEqualTo(
            "mlproof: --conf param 'rate' is outside the range of number params"
                + " (at most 1.7976931348623157E308 in size, what every pipeline can read): pass a value in it\n");

    Cli.Result twice =
        dags("run", "hello", "--logical-date", DATE, "--conf", "{\"who\": \"a\", \"who\": \"b\"}");
    assertThat(twice.exitCode()).isEqualTo(2);
    assertThat(twice.err())
        .isEqualTo(
            "mlproof: --conf sets a param twice (Duplicate field 'who'): give each"
                + " param once\n");
    assertThat(runs).doesNotExist();
  }
}
