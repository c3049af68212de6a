package io.mlproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 items 1, 2, 4 and 14 through the real CLI: what a user typed, the exit code, what
 * survived.
 */
class OutputSafetyCommandTest {

  @TempDir Path tmp;
  private Path warehouse;

  @BeforeEach
  void setUp() throws Exception {
    warehouse =
        Cli.usersWarehouse(
            tmp.resolve("w.duckdb"),
            "INSERT INTO users VALUES (1, TIMESTAMP '2024-01-07 09:00:00', 'DE', 'organic')");
  }

  private static Cli.Result mlproof(String... args) {
    return Cli.run(args);
  }

  private Cli.Result extractUsers(String output) {
    return mlproof(
        "run",
        "extract",
        "--warehouse=duckdb:" + warehouse,
        "--output=" + output,
        "--recordType=users",
        "--logicalDate=2024-01-07");
  }

  @Test
  void aGlobOutputExitsTwoAndLeavesTheDirectoriesItWouldHaveMatched() throws Exception {
    Path keepA = Files.createDirectories(tmp.resolve("out/keepA"));
    Files.writeString(keepA.resolve("precious.txt"), "a");
    Path keepB = tmp.resolve("out/keepB");
    assertThat(extractUsers(keepB.toString()).exitCode()).isZero();

    Cli.Result result = extractUsers(tmp.resolve("out") + "/keep*");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.lastLine())
        .isEqualTo(
            "mlproof: --output "
                + tmp.resolve("out")
                + "/keep* contains the glob"
                + " character '*': mlproof paths are literal and may not contain any of *?[]{}\\; rename the directory");
    assertThat(Files.readString(keepA.resolve("precious.txt"))).isEqualTo("a");
    assertThat(keepB.resolve("manifest.json")).exists();
    assertThat(keepB.resolve("records-00000-of-00001.tfrecord")).exists();
  }

  @Test
  void trainingIntoItsOwnInputExitsTwoBeforeDeletingIt() throws Exception {
    Path extract = tmp.resolve("extract");
    assertThat(extractUsers(extract.toString()).exitCode()).isZero();
    String manifest = Files.readString(extract.resolve("manifest.json"));

    Cli.Result result = mlproof("run", "train", "--examples=" + extract, "--output=" + extract);
    assertThat(result.exitCode()).isEqualTo(2);
    // On the stage skeleton train checks its input before it touches the output, so the first
    // refusal is that an extract output is no features output.
    assertThat(result.lastLine())
        .isEqualTo(
            "mlproof: output "
                + extract
                + " has no 'feature_spec' files (it holds [records, dead_letter]): point this task"
                + " at the right upstream output");
    assertThat(Files.readString(extract.resolve("manifest.json"))).isEqualTo(manifest);
    assertThat(extract.resolve("records-00000-of-00001.tfrecord")).exists();
  }

  @Test
  void anOutputPathThatIsAFileExitsTwo() throws Exception {
    Path file = Files.writeString(tmp.resolve("notes.txt"), "keep me");
    Cli.Result result = extractUsers(file.toString());
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.lastLine())
        .isEqualTo(
            "mlproof: output "
                + file
                + " is not a directory ("
                + file
                + " is a file): choose another --output");
    assertThat(Files.readString(file)).isEqualTo("keep me");
  }

  private Cli.Result score(String warehouseSpec, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "score",
                "--warehouse=" + warehouseSpec,
                "--model=" + tmp.resolve("bless"),
                "--examples=" + tmp.resolve("features"),
                "--output=" + tmp.resolve("s")));
    args.addAll(List.of(extra));
    return mlproof(args.toArray(String[]::new));
  }

  @Test
  void scoringIntoAMisspelledWarehouseExitsTwoAndCreatesNothing() {
    Path typo = tmp.resolve("wharehouse.duckdb");
    Cli.Result result = score("duckdb:" + typo);
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.lastLine())
        .isEqualTo(
            "mlproof: warehouse file "
                + typo
                + " does not exist: run `mlproof demo"
                + " init` or pass --warehouse=duckdb:<path to .duckdb file>");
    assertThat(typo).doesNotExist();
    assertThat(tmp.resolve("s")).doesNotExist();
  }

  @Test
  void scoringIntoSomethingThatIsNotADuckDbWarehouseExitsTwo() throws Exception {
    Path text = Files.writeString(tmp.resolve("warehouse.txt"), "not a database");
    Cli.Result notDuckDb = score("duckdb:" + text);
    assertThat(notDuckDb.exitCode()).isEqualTo(2);
    assertThat(notDuckDb.lastLine())
        .startsWith("mlproof: warehouse file " + text + " cannot be opened as a DuckDB database (");
    assertThat(Files.readString(text)).isEqualTo("not a database");

    Cli.Result postgres = score("postgres://db/x");
    assertThat(postgres.exitCode()).isEqualTo(2);
    assertThat(postgres.lastLine())
        .isEqualTo(
            "mlproof: --warehouse=postgres://db/x is not a warehouse: use"
                + " duckdb:<path to .duckdb file> or bigquery:<project>.<dataset>");
  }

  @Test
  void aBadScoresTableExitsTwoBeforeAnyWork() {
    Cli.Result injected = score("duckdb:" + warehouse, "--scoresTable=scores; DROP TABLE users");
    assertThat(injected.exitCode()).isEqualTo(2);
    assertThat(injected.lastLine())
        .isEqualTo(
            "mlproof: --scoresTable 'scores; DROP TABLE users' is not a plain"
                + " identifier: use letters, digits and underscores, starting with a letter or underscore");

    Cli.Result taken = score("duckdb:" + warehouse, "--scoresTable=users");
    assertThat(taken.exitCode()).isEqualTo(2);
    assertThat(taken.lastLine())
        .isEqualTo(
            "mlproof: --scoresTable=users names an existing table with columns"
                + " [user_id BIGINT, signup_at TIMESTAMP, country VARCHAR, acquisition_channel VARCHAR], not a scores table"
                + " [entity_id VARCHAR, score DOUBLE, rank BIGINT, model_id VARCHAR, score_day DATE]: choose another"
                + " --scoresTable");
    assertThat(tmp.resolve("s")).doesNotExist();
  }
}
