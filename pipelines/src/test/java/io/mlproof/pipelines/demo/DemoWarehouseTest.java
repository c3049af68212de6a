package io.mlproof.pipelines.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.demo.DemoWarehouse.OnExisting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warehouse file's life cycle: determinism, reuse, --force, refusals, no leftovers. */
class DemoWarehouseTest {

  private static final DemoSpec TINY = DemoSpec.defaults().withUsers(300).withDays(60).withSeed(5);

  @TempDir Path dir;

  @Test
  void sameSpecGivesIdenticalTablesWhateverTheThreads() {
    DemoWarehouse.create(dir.resolve("one.duckdb"), TINY, OnExisting.REPLACE, 1);
    DemoWarehouse.create(dir.resolve("two.duckdb"), TINY, OnExisting.REPLACE, 2);

    Map<String, String> one = checksums(dir.resolve("one.duckdb"));
    assertThat(one).containsOnlyKeys("users", "events", "payments", "demo_truth");
    assertThat(one.get("users")).startsWith("300:");
    assertThat(checksums(dir.resolve("two.duckdb"))).isEqualTo(one);
  }

  @Test
  void anotherSeedGivesOtherTables() {
    DemoWarehouse.create(dir.resolve("one.duckdb"), TINY);
    DemoWarehouse.create(dir.resolve("two.duckdb"), TINY.withSeed(6));

    Map<String, String> one = checksums(dir.resolve("one.duckdb"));
    Map<String, String> two = checksums(dir.resolve("two.duckdb"));
    for (String table : one.keySet()) {
      assertThat(two.get(table)).as(table).isNotEqualTo(one.get(table));
    }
  }

  @Test
  void summaryCountsEveryTableIndependently() {
    Path file = dir.resolve("w.duckdb");
    DemoSummary summary = DemoWarehouse.create(file, TINY.withBadRowRate(0.05));

    try (Db db = Db.open(file)) {
      assertThat(summary)
          .isEqualTo(
              new DemoSummary(
                  file,
                  TINY.withBadRowRate(0.05),
                  DemoSummary.Outcome.BUILT,
                  300,
                  db.number("SELECT count(*) FROM events"),
                  db.number("SELECT count(*) FROM payments"),
                  db.number(
                      "SELECT count(*) FROM events WHERE event_id > (SELECT max(event_id) FROM events"
                          + " WHERE user_id IS NOT NULL AND event_type <> 'app_crash' AND coalesce(amount, 0) >= 0"
                          + " AND event_at >= DATE '2024-01-01')"),
                  db.number(
                      "SELECT count(*) FROM payments WHERE payment_id > (SELECT max(payment_id) FROM payments"
                          + " WHERE user_id IS NOT NULL AND status <> 'pending' AND amount > 0 AND paid_at >= DATE '2024-01-01')")));
    }
    assertThat(summary.badEvents()).isPositive();
    assertThat(summary.badPayments()).isPositive();
  }

  @Test
  void sameSpecAgainIsANoOp() throws IOException {
    Path file = dir.resolve("w.duckdb");
    DemoSummary built = DemoWarehouse.create(file, TINY);
    FileTime modified = Files.getLastModifiedTime(file);
    Map<String, String> before = checksums(file);

    DemoSummary again = DemoWarehouse.create(file, TINY);

    assertThat(again.outcome()).isEqualTo(DemoSummary.Outcome.REUSED);
    assertThat(again).usingRecursiveComparison().ignoringFields("outcome").isEqualTo(built);
    assertThat(Files.getLastModifiedTime(file)).isEqualTo(modified);
    assertThat(checksums(file)).isEqualTo(before);
  }

  @Test
  void anotherSpecOnAnExistingWarehouseIsRefusedWithoutForce() {
    Path file = dir.resolve("w.duckdb");
    DemoWarehouse.create(file, TINY);
    Map<String, String> before = checksums(file);

    assertThatThrownBy(() -> DemoWarehouse.create(file, TINY.withUsers(301)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            file
                + " holds a demo warehouse for users=300, days=60, start=2024-01-01, seed=5,"
                + " bad-row-rate=5.0E-4; pass --force to rebuild it for users=301, days=60, start=2024-01-01,"
                + " seed=5, bad-row-rate=5.0E-4, or choose another --path");
    assertThat(checksums(file)).isEqualTo(before);
  }

  @Test
  void aWarehouseFromAnotherProcessVersionIsNotReused() throws SQLException {
    Path file = dir.resolve("w.duckdb");
    DemoWarehouse.create(file, TINY);
    execute(file, "UPDATE mlproof_demo_meta SET process_version = 0");

    assertThatThrownBy(() -> DemoWarehouse.create(file, TINY))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            file
                + " holds a demo warehouse for users=300, days=60, start=2024-01-01, seed=5,"
                + " bad-row-rate=5.0E-4 (process version 0); pass --force to rebuild it for users=300,");
    assertThat(DemoWarehouse.create(file, TINY, OnExisting.REPLACE).outcome())
        .isEqualTo(DemoSummary.Outcome.BUILT);
    assertThat(DemoWarehouse.create(file, TINY).outcome()).isEqualTo(DemoSummary.Outcome.REUSED);
  }

  @Test
  void anUnwritableDirectoryIsAUserErrorAndLeavesNothing() throws IOException {
    Files.writeString(dir.resolve("plain"), "a file, not a directory");

    assertThatThrownBy(() -> DemoWarehouse.create(dir.resolve("plain/sub/w.duckdb"), TINY))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "cannot create directory " + dir.resolve("plain/sub") + " for the demo warehouse (")
        .hasMessageEndingWith("); choose another --path");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("plain");
    }
  }

  @Test
  void forceRebuildsForTheNewSpec() {
    Path file = dir.resolve("w.duckdb");
    DemoWarehouse.create(file, TINY);

    DemoSummary rebuilt = DemoWarehouse.create(file, TINY.withUsers(301), OnExisting.REPLACE);

    assertThat(rebuilt.outcome()).isEqualTo(DemoSummary.Outcome.BUILT);
    assertThat(rebuilt.users()).isEqualTo(301);
    assertThat(DemoWarehouse.readSpec(file)).contains(TINY.withUsers(301));
    try (Db db = Db.open(file)) {
      assertThat(db.number("SELECT count(*) FROM users")).isEqualTo(301);
    }
  }

  @Test
  void leavesOnlyTheWarehouseBehind() throws IOException {
    DemoWarehouse.create(dir.resolve("sub/w.duckdb"), TINY);
    DemoWarehouse.create(dir.resolve("sub/w.duckdb"), TINY.withSeed(9), OnExisting.REPLACE);

    try (Stream<Path> files = Files.list(dir.resolve("sub"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("w.duckdb");
    }
  }

  @Test
  void refusesAFileThatIsNotADuckDbDatabase() throws IOException {
    Path file = dir.resolve("notes.duckdb");
    Files.writeString(file, "not a database");

    assertThatThrownBy(() -> DemoWarehouse.create(file, TINY))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(file + " exists but cannot be read as a DuckDB database (")
        .hasMessageEndingWith("); pass --force to replace it, or choose another --path")
        .hasMessageNotContaining("\n");
    assertThat(Files.readString(file)).isEqualTo("not a database");
    assertThat(DemoWarehouse.readSpec(file)).isEmpty();
  }

  @Test
  void refusesADuckDbFileThatIsNotADemoWarehouse() throws SQLException {
    Path file = dir.resolve("other.duckdb");
    execute(file, "CREATE TABLE users AS SELECT 1 AS user_id");

    assertThatThrownBy(() -> DemoWarehouse.create(file, TINY))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            file
                + " exists but is not an mlproof demo warehouse (no table mlproof_demo_meta);"
                + " pass --force to replace it, or choose another --path");
  }

  @Test
  void forceReplacesAFileThatIsNotADemoWarehouse() throws IOException {
    Path file = dir.resolve("notes.duckdb");
    Files.writeString(file, "not a database");

    DemoWarehouse.create(file, TINY, OnExisting.REPLACE);

    assertThat(DemoWarehouse.readSpec(file)).contains(TINY);
  }

  @Test
  void refusesADirectory() {
    assertThatThrownBy(() -> DemoWarehouse.create(dir, TINY))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--path "
                + dir
                + " is a directory; give a file such as "
                + dir.resolve("warehouse.duckdb"));
  }

  @Test
  void extremeSeedsWork() {
    DemoSpec spec = TINY.withUsers(20).withDays(10).withSeed(Long.MIN_VALUE);
    DemoWarehouse.create(dir.resolve("w.duckdb"), spec);

    assertThat(DemoWarehouse.readSpec(dir.resolve("w.duckdb"))).contains(spec);
  }

  @Test
  void everyPlaceholderIsFilled() {
    List<String> statements = DemoWarehouse.statements(TINY);

    assertThat(statements).noneMatch(s -> s.matches("(?s).*\\$\\{[a-z_]+}.*"));
    assertThat(statements).anyMatch(s -> s.contains("hash(hash((5)::BIGINT"));
  }

  /** Changes a file behind the generator's back. */
  private static void execute(Path file, String sql) throws SQLException {
    try (var c = DriverManager.getConnection("jdbc:duckdb:" + file);
        var s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static Map<String, String> checksums(Path file) {
    try (Db db = Db.open(file)) {
      return db.checksums();
    }
  }
}
