package io.mlproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {

  @TempDir Path dir;

  private String out;
  private String err;

  /** Runs the real command line, capturing what it prints. */
  private int mlproof(String... args) {
    Cli.Result result = Cli.run(args);
    out = result.out();
    err = result.err();
    return result.exitCode();
  }

  @Test
  void initBuildsThenReusesThenRefusesAnotherSpecUnlessForced() {
    Path file = dir.resolve("w.duckdb");
    String path = file.toString();

    assertThat(
            mlproof(
                "demo", "init", "--path", path, "--users", "200", "--days", "40", "--seed", "3"))
        .isZero();
    assertThat(out)
        .startsWith("Built the demo warehouse " + file + " in ")
        .contains(": 200 users, ")
        .contains(" over 40 days from 2024-01-01, seed 3. Tables users, events");
    assertThat(Files.exists(file)).isTrue();

    assertThat(
            mlproof(
                "demo", "init", "--path", path, "--users", "200", "--days", "40", "--seed", "3"))
        .isZero();
    assertThat(out)
        .startsWith("The demo warehouse " + file + " already holds 200 users, ")
        .endsWith("Pass --force to rebuild it." + System.lineSeparator());

    assertThat(
            mlproof(
                "demo", "init", "--path", path, "--users", "201", "--days", "40", "--seed", "3"))
        .isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "mlproof: "
                + file
                + " holds a demo warehouse for users=200, days=40,"
                + " start=2024-01-01, seed=3, bad-row-rate=5.0E-4; pass --force to rebuild it for users=201, days=40,"
                + " start=2024-01-01, seed=3, bad-row-rate=5.0E-4, or choose another --path"
                + System.lineSeparator());

    assertThat(
            mlproof(
                "demo", "init", "--path", path, "--users", "201", "--days", "40", "--seed", "3",
                "--force"))
        .isZero();
    assertThat(out).startsWith("Built the demo warehouse ").contains(": 201 users, ");
  }

  @Test
  void invalidValuesExitTwoWithOneLine() {
    assertThat(
            mlproof("demo", "init", "--path", dir.resolve("w.duckdb").toString(), "--users", "0"))
        .isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "mlproof: --users must be between 1 and 10000000, got 0" + System.lineSeparator());

    assertThat(
            mlproof(
                "demo",
                "init",
                "--path",
                dir.resolve("w.duckdb").toString(),
                "--start",
                "2024-13-01"))
        .isEqualTo(2);
    assertThat(err).startsWith("mlproof: ").contains("--start").hasLineCount(1);

    assertThat(mlproof("demo", "init", "--path", dir.toString())).isEqualTo(2);
    assertThat(err).startsWith("mlproof: --path " + dir + " is a directory;").hasLineCount(1);

    assertThat(Files.exists(dir.resolve("w.duckdb"))).isFalse();
  }

  @Test
  void helpListsEveryOptionWithItsDefault() {
    assertThat(mlproof("demo", "init", "--help")).isZero();
    assertThat(out)
        .contains(
            "--path=<path>",
            "Default: build/demo/warehouse.duckdb",
            "--users=<users>",
            "Default: 10000",
            "--days=<days>",
            "Default: 180",
            "--start=<start>",
            "Default: 2024-01-01",
            "--seed=<seed>",
            "Default: 42",
            "--bad-row-rate=<badRowRate>",
            "Default: 5.0E-4",
            "--force");
  }

  @Test
  void demoWithoutSubcommandIsInvalid() {
    assertThat(mlproof("demo")).isEqualTo(2);
    assertThat(err).contains("Missing required subcommand");
  }
}
