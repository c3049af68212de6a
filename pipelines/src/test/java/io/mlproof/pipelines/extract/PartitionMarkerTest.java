package io.mlproof.pipelines.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.demo.DemoFixtures;
import io.mlproof.pipelines.sql.RenderedSql;
import io.mlproof.pipelines.sql.TemplateContext;
import io.mlproof.pipelines.warehouse.DuckDbFixture;
import io.mlproof.pipelines.warehouse.DuckDbWarehouse;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.DeadLetter;
import io.mlproof.proto.v1.EntityDay;
import io.mlproof.proto.v1.Manifest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code {{ partition('user_id') }}} markers of {@code extract/entity_days.sql}: a read split
 * by them holds exactly the rows of one read, each part exactly its users' groups, on real DuckDB
 * files; markers that cannot split the read correctly are exit-2 errors before anything runs.
 */
class PartitionMarkerTest {

  /** The demo's two weeks that RunnerParityTest reads too. */
  private static final String START = "2024-02-05";

  private static final String END = "2024-02-19";

  @TempDir Path tmp;

  /**
   * Each part of the marked query, run directly on DuckDB, returns exactly the groups (user, day)
   * whose user hashes to it, counted by an independent query over the raw tables; together the
   * parts return exactly the whole query's rows, the NULL user's groups included.
   */
  @Test
  void eachPartHoldsExactlyTheGroupsOfItsUsers() throws Exception {
    Path file = DemoFixtures.smallWarehouse(tmp, 7);
    Warehouse warehouse = Warehouse.parse(DuckDbFixture.spec(file));
    RenderedSql sql =
        warehouse.render(
            warehouse.template("extract/entity_days.sql"),
            new TemplateContext(
                LocalDate.parse(START),
                Instant.parse(START + "T00:00:00Z"),
                Instant.parse(END + "T00:00:00Z"),
                Map.of()));
    assertThat(sql.partitionMarkers()).hasSize(2);
    assertThat(sql.partitionColumn(ExtractPlan.PARTITION_KEY)).contains("user_id");

    try (Connection c =
        DriverManager.getConnection(
            "jdbc:duckdb:" + file, DuckDbWarehouse.connectionProperties())) {
      List<String> whole = rows(c, sql.sql(), 0, 0);
      assertThat(whole).hasSize((int) groups(c, "TRUE"));
      assertThat(groups(c, "user_id IS NULL")).as("NULL users' groups in the window").isPositive();
      for (int parts : List.of(2, 3, 8)) {
        String split = sql.withPartitionFilter("(hash(\"user_id\") % " + parts + " = ?)");
        List<String> union = new ArrayList<>();
        for (int part = 0; part < parts; part++) {
          List<String> rows = rows(c, split, 2, part);
          assertThat(rows)
              .as("part %d of %d", part, parts)
              .hasSize((int) groups(c, "hash(user_id) % " + parts + " = " + part));
          union.addAll(rows);
        }
        assertThat(union.stream().sorted().toList()).as("%d parts", parts).isEqualTo(whole);
      }
    }
  }

  /** The query's rows as sorted text lines, {@code parameters} {@code ?} bound to {@code part}. */
  private static List<String> rows(Connection c, String query, int parameters, int part)
      throws SQLException {
    List<String> rows = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(query)) {
      for (int i = 1; i <= parameters; i++) {
        s.setInt(i, part);
      }
      try (ResultSet rs = s.executeQuery()) {
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          StringBuilder row = new StringBuilder();
          for (int i = 1; i <= columns; i++) {
            row.append(rs.getString(i)).append('|');
          }
          rows.add(row.toString());
        }
      }
    }
    return rows.stream().sorted().toList();
  }

  /**
   * Distinct (user, UTC day) of the window's raw events and payments, rows without a time included,
   * among those matching {@code where}: written from the data's definition, not from the template.
   */
  private static long groups(Connection c, String where) throws SQLException {
    String window =
        " >= TIMESTAMP '" + START + " 00:00:00' AND %1$s < TIMESTAMP '" + END + " 00:00:00'";
    String query =
        "SELECT count(*) FROM (SELECT DISTINCT user_id, CAST(t AS DATE) FROM ("
            + " SELECT user_id, event_at AS t FROM events WHERE (event_at"
            + window.formatted("event_at")
            + ") OR event_at IS NULL"
            + " UNION ALL SELECT user_id, paid_at FROM payments WHERE (paid_at"
            + window.formatted("paid_at")
            + ") OR paid_at IS NULL)"
            + " WHERE "
            + where
            + ")";
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * The whole extract on the Direct runner, read in 2, 3 and 8 parts through the markers, writes
   * exactly the records, dead letters and counters of one read, on the hand-made fixture (bad rows
   * and NULL users in both scans) and on the demo warehouse.
   */
  @Test
  void anExtractSplitByTheMarkersWritesExactlyTheOutputsOfOneRead() {
    Path fixture = ExtractFixture.create(tmp.resolve("fixture.duckdb"));
    assertSplitsAgree(fixture, "fixture", "--logicalDate=" + ExtractFixture.DS);
    Path demo = DemoFixtures.smallWarehouse(tmp, 7);
    assertSplitsAgree(
        demo,
        "demo",
        "--logicalDate=" + START,
        "--dataIntervalStart=" + START,
        "--dataIntervalEnd=" + END);
  }

  private void assertSplitsAgree(Path warehouse, String label, String... window) {
    Manifest whole = extract(warehouse, label + "-1", concat(window, "--readPartitions=1"));
    Path wholeOut = tmp.resolve(label + "-1");
    List<String> records =
        sorted(TfRecordFiles.read(wholeOut, "records-*.tfrecord", EntityDay.parser()));
    List<String> dead =
        sorted(TfRecordFiles.read(wholeOut, "dead_letter-*.tfrecord", DeadLetter.parser()));
    assertThat(records).isNotEmpty();
    assertThat(dead).isNotEmpty();
    for (int parts : List.of(2, 3, 8)) {
      String name = label + "-" + parts;
      Manifest split = extract(warehouse, name, concat(window, "--readPartitions=" + parts));
      Path out = tmp.resolve(name);
      assertThat(new TreeMap<>(split.getCountersMap()))
          .as(name + " counters")
          .isEqualTo(new TreeMap<>(whole.getCountersMap()));
      assertThat(sorted(TfRecordFiles.read(out, "records-*.tfrecord", EntityDay.parser())))
          .as(name + " records")
          .isEqualTo(records);
      assertThat(sorted(TfRecordFiles.read(out, "dead_letter-*.tfrecord", DeadLetter.parser())))
          .as(name + " dead letters")
          .isEqualTo(dead);
      // The same query, so the same identity, whatever the read is split into.
      assertThat(split.getQuerySha256()).isEqualTo(whole.getQuerySha256());
    }
  }

  @Test
  void markersOnAnotherColumnThanTheReadsKeyFailBeforeAnythingRuns() throws Exception {
    assertThatThrownBy(() -> extractEventsMarkedBy("event_id"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template "
                + tmp.resolve("marked.sql")
                + " marks its scans with partition('event_id') but the read is split by user_id:"
                + " write {{ partition('user_id') }} in every scan's WHERE, the key of the rows it"
                + " returns");
    assertThat(tmp.resolve("marked")).doesNotExist();
  }

  /**
   * A marker on a column its scan does not have: the whole query (the marker as TRUE) runs, so the
   * dry run prepares the split query too and names the marker.
   */
  @Test
  void aMarkerOnAColumnItsScanLacksFailsBeforeAnythingRuns() throws Exception {
    assertThatThrownBy(() -> extractEventsMarkedBy("customer_id"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "template "
                + tmp.resolve("marked.sql")
                + ": partition('customer_id') does not run on DuckDB (")
        .hasMessageContaining("customer_id")
        .hasMessageEndingWith(
            "): put the marker only in the WHERE of scans that have a column customer_id");
    assertThat(tmp.resolve("marked")).doesNotExist();
  }

  /** A marker in a comment renders there too, but as no parameter: the dry run counts them. */
  @Test
  void aMarkerInACommentFailsBeforeAnythingRuns() throws Exception {
    assertThatThrownBy(
            () ->
                extractEvents(
                    "WHERE {{ partition('user_id') }} -- split by {{ partition('user_id') }}\n"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template "
                + tmp.resolve("marked.sql")
                + " has 2 partition markers but the query has 1 parameters for them (a marker in a"
                + " -- comment or a string is none): write partition('user_id') only in scans'"
                + " WHERE");
    assertThat(tmp.resolve("marked")).doesNotExist();
  }

  /**
   * An events extract of the fixture through a template whose one scan is marked by {@code column}.
   */
  private Manifest extractEventsMarkedBy(String column) throws Exception {
    return extractEvents("WHERE {{ partition('" + column + "') }}\n");
  }

  /** An events extract of the fixture, all events, the template ending in {@code where}. */
  private Manifest extractEvents(String where) throws Exception {
    Path fixture = ExtractFixture.create(tmp.resolve("fixture.duckdb"));
    Path template =
        Files.writeString(
            tmp.resolve("marked.sql"),
            "SELECT event_id, user_id, event_type, event_at, amount FROM {{ table('events') }}\n"
                + where);
    return ExtractRuns.run(
        fixture,
        tmp.resolve("marked"),
        "events",
        "--logicalDate=" + ExtractFixture.DS,
        "--template=" + template);
  }

  /** A dry run shows the whole query: both markers as TRUE, no part filter, nothing written. */
  @Test
  void aDryRunOfTheMarkedTemplateShowsTheWholeQuery() {
    Path fixture = ExtractFixture.create(tmp.resolve("fixture.duckdb"));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    assertThat(
            ExtractPipeline.run(
                ExtractPipeline.parse(
                    "--warehouse=" + DuckDbFixture.spec(fixture),
                    "--output=" + tmp.resolve("dry"),
                    "--recordType=entity_days",
                    "--logicalDate=" + ExtractFixture.DS,
                    "--readPartitions=8",
                    "--dryRun"),
                Warehouse.parse(DuckDbFixture.spec(fixture)),
                new PrintStream(printed, true, StandardCharsets.UTF_8)))
        .isNull();
    String report = printed.toString(StandardCharsets.UTF_8);
    assertThat(report.substring(report.indexOf("\nsql:\n")))
        .contains(
            "  FROM \"events\"\n  WHERE TRUE\n    AND ((event_at >= TIMESTAMP '2024-01-07 00:00:00'")
        .contains(
            "  FROM \"payments\"\n  WHERE TRUE\n    AND ((paid_at >= TIMESTAMP '2024-01-07 00:00:00'")
        .doesNotContain("hash(\"user_id\")")
        .doesNotContain("= ?");
    assertThat(tmp.resolve("dry")).doesNotExist();
  }

  private Manifest extract(Path warehouse, String name, String... extra) {
    return ExtractRuns.run(warehouse, tmp.resolve(name), "entity_days", extra);
  }

  private static String[] concat(String[] first, String... more) {
    return ExtractRuns.concat(first, more);
  }

  private static List<String> sorted(List<? extends Message> records) {
    return records.stream().map(Message::toString).sorted().toList();
  }
}
