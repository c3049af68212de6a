package io.mlproof.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;

/** The CLI as users call it, in this JVM: exit code and stderr. */
final class Cli {

  private Cli() {}

  /** What a run returned and printed on stderr. */
  record Result(int exitCode, String stderr) {
    /** mlproof's own line: Beam's INFO logging (slf4j-simple) may precede it on stderr. */
    String lastLine() {
      List<String> lines = stderr.lines().toList();
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
  }

  static Result run(String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return new Result(Main.execute(args), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(original);
    }
  }

  /** A DuckDB warehouse with an empty {@code users} table of the demo's columns, plus {@code sql}. */
  static Path usersWarehouse(Path file, String... sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE users (user_id BIGINT, signup_at TIMESTAMP, country VARCHAR, acquisition_channel VARCHAR)");
      for (String statement : sql) {
        s.execute(statement);
      }
    }
    return file;
  }
}
