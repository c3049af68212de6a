package io.mlproof.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;

/** The CLI as users call it, in this JVM: exit code, stdout and stderr. */
final class Cli {

  private Cli() {}

  /** What one command returned and printed. */
  record Result(int exitCode, String out, String err) {
    /** What it printed on stderr. */
    String stderr() {
      return err;
    }

    /** mlproof's own line: Beam's INFO logging (slf4j-simple) may precede it on stderr. */
    String lastLine() {
      List<String> lines = err.lines().toList();
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
  }

  static Result run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
      int code = Main.execute(args);
      return new Result(
          code,
          outBytes.toString(StandardCharsets.UTF_8),
          errBytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /**
   * A DuckDB warehouse with an empty {@code users} table of the demo's columns, plus {@code sql}.
   */
  static Path usersWarehouse(Path file, String... sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE users (user_id BIGINT, signup_at TIMESTAMP, country VARCHAR, acquisition_channel VARCHAR)");
      for (String statement : sql) {
        s.execute(statement);
      }
    }
    return file;
  }
}
