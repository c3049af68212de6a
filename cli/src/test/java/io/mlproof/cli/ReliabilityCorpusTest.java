package io.mlproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reliability corpus (docs/RELIABILITY.md), through the real CLI.
 *
 * <p>Hostile DAG files: every file in {@code src/test/resources/reliability/dags/} (its first line
 * is {@code # expect: <part of the error>}) plus the generated ones too big to keep in the
 * repository. Each is dropped next to a valid DAG; {@code dags validate} and {@code dags list} must
 * exit 2, name the file with a line and column and the expected error on one line each, print no
 * stack trace, and still report the valid DAG. A new case is a new file.
 *
 * <p>SQL payloads: every string of {@code sql-payloads.json} as a {@code --conf} value in every
 * templated place that reaches SQL or a shell: a SQL pipeline option, a {@code sql_sensor} query on
 * a real DuckDB file, and a bash command. SQL places refuse it with exit 2 or a task failed without
 * retry, and the warehouse's table is untouched; the bash command gets it as one word.
 */
class ReliabilityCorpusTest {

  private static final Path CORPUS = Path.of("src/test/resources/reliability");
  private static final String VALID =
      """
      dag_id: valid
      schedule: "@daily"
      tasks:
        - id: a
          kind: empty
      """;

  @TempDir Path tmp;

  /** A hostile file: its name, its text, and a part of the error it must give. */
  record Hostile(String name, byte[] text, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Hostile> hostileDags() throws IOException {
    List<Hostile> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(CORPUS.resolve("dags"))) {
      for (Path file : files.sorted().toList()) {
        byte[] text = Files.readAllBytes(file);
        String first = new String(text, StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
        assertThat(first).as(file + " must start with '# expect: '").startsWith("# expect: ");
        cases.add(
            new Hostile(
                file.getFileName().toString(), text, first.substring("# expect: ".length())));
      }
    }
    // 20,000 nested lists: a StackOverflowError in the YAML composer before the depth limit.
    cases.add(
        new Hostile(
            "deep_nesting.yaml",
            ("x: " + "[".repeat(20_000) + "]".repeat(20_000) + "\n")
                .getBytes(StandardCharsets.UTF_8),
            "nested more than 50 levels deep"));
    // 2 MiB: parse time grew with the square of the size before the size check.
    String line = "# " + "x".repeat(1021) + "\n";
    cases.add(
        new Hostile(
            "huge.yaml",
            ("dag_id: huge\n" + line.repeat(2048)).getBytes(StandardCharsets.UTF_8),
            "over the limit of 1048576 bytes for a DAG file"));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileDags")
  void aHostileDagFileIsOneClearErrorAndHidesNoOtherDag(Hostile hostile) throws Exception {
    Path dags = Files.createDirectories(tmp.resolve("dags"));
    Files.writeString(dags.resolve("valid.yaml"), VALID);
    Files.writeString(dags.resolve("defaults.yaml"), "start_date: 2024-01-01\n");
    Path file = dags.resolve(hostile.name());
    Files.write(file, hostile.text());

    Cli.Result validate = Cli.run("dags", "validate", "--dags-folder", dags.toString());
    assertThat(validate.exitCode()).as(validate.err()).isEqualTo(2);
    assertThat(validate.out()).startsWith("ok      valid (1 tasks, @daily)\n");
    List<String> errors = validate.err().lines().toList();
    assertThat(errors)
        .as("one line per error, each file:line:column: message")
        .isNotEmpty()
        .allMatch(
            l -> l.matches(java.util.regex.Pattern.quote(file.toString()) + ":\\d+:\\d+: .+"));
    assertThat(validate.err())
        .contains(hostile.expected())
        .doesNotContain("\tat ")
        .doesNotContain("Exception");

    Cli.Result list = Cli.run("dags", "list", "--dags-folder", dags.toString());
    assertThat(list.exitCode()).isEqualTo(2);
    assertThat(list.out()).contains("\nvalid ");
    assertThat(list.err()).isEqualTo(validate.err());
  }

  /** A payload and the templated place it is put in. */
  record Placed(String place, String payload) {
    @Override
    public String toString() {
      return place + ": " + payload.replace("\n", "\\n").replace("\0", "\\0");
    }
  }

  static Stream<Placed> sqlPayloads() throws IOException {
    List<String> payloads =
        List.of(
            new ObjectMapper()
                .readValue(CORPUS.resolve("sql-payloads.json").toFile(), String[].class));
    return Stream.of("sql_option", "sql_sensor", "bash")
        .flatMap(place -> payloads.stream().map(p -> new Placed(place, p)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sqlPayloads")
  void aPayloadInAnyTemplatedPlaceStaysAValue(Placed placed) throws Exception {
    Path dags = Files.createDirectories(tmp.resolve("dags"));
    Path warehouse = tmp.resolve("w.duckdb");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE users AS SELECT 'US' AS country FROM range(3)");
    }
    Files.writeString(
        dags.resolve("target.yaml"),
        """
        dag_id: target
        schedule: "@daily"
        start_date: 2024-01-01
        params:
          value: US
        tasks:
        """
            + task(placed.place(), warehouse));
    String conf = new ObjectMapper().createObjectNode().put("value", placed.payload()).toString();
    List<String> common =
        List.of(
            "--dags-folder",
            dags.toString(),
            "--run-root",
            tmp.resolve("runs").toString(),
            "--state",
            tmp.resolve("state.sqlite").toString(),
            "--logical-date",
            "2024-01-08",
            "--conf",
            conf);

    if (placed.place().equals("sql_option")) {
      Cli.Result shown = Cli.run(concat(List.of("dags", "show", "target"), common));
      assertThat(shown.exitCode()).isEqualTo(2);
      assertThat(shown.err())
          .startsWith("mlproof: template option examplesQuery of task t line 1: params.value '")
          .contains("has characters not allowed in SQL text")
          .hasLineCount(1);
    }
    Cli.Result run = Cli.run(concat(List.of("dags", "run", "target"), common));
    if (placed.place().equals("bash") && placed.payload().contains("\0")) {
      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.out()).contains("holds a NUL character (from a param?)");
    } else if (placed.place().equals("bash")) {
      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(Files.readString(tmp.resolve("runs/target/2024-01-08/t/value.txt")))
          .isEqualTo(placed.payload());
    } else {
      assertThat(run.exitCode()).as(run.out()).isEqualTo(1);
      assertThat(run.out()).contains("has characters not allowed in SQL text");
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM users")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(3);
    }
    for (String written : List.of("pwned.csv", "other.duckdb")) {
      assertThat(Path.of(written)).doesNotExist();
      assertThat(tmp.resolve(written)).doesNotExist();
    }
  }

  private static String task(String place, Path warehouse) {
    return switch (place) {
      case "sql_option" ->
          """
            - id: t
              pipeline: train
              options:
                warehouse: "duckdb:%s"
                examplesQuery: "SELECT * FROM users WHERE country = {{ params.value }}"
                labelColumn: churned
                positiveLabel: "1"
                idColumn: user_id
          """
              .formatted(warehouse);
      case "sql_sensor" ->
          """
            - id: t
              kind: sql_sensor
              warehouse: "duckdb:%s"
              sql: "SELECT count(*) > 0 FROM users WHERE country = {{ params.value }}"
              poke_interval: 1s
              timeout: 5s
          """
              .formatted(warehouse);
      default ->
          """
            - id: t
              kind: bash
              command: printf '%s' {{ params.value }} > $MLPROOF_OUTPUT/value.txt
          """;
    };
  }

  private static String[] concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all.toArray(String[]::new);
  }
}
