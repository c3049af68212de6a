package io.mlproof.pipelines.extract;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.mlproof.pipelines.demo.DemoFixtures;
import io.mlproof.proto.v1.DeadLetter;
import io.mlproof.proto.v1.EntityDay;
import io.mlproof.proto.v1.Event;
import io.mlproof.proto.v1.Manifest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same extract on the Direct runner and on the Flink runner (embedded local cluster, no
 * --flinkMaster, parallelism 2) gives identical records, dead letters and counters: on a hand-made
 * fixture and on the demo warehouse.
 */
class RunnerParityTest {

  @TempDir Path tmp;

  @Test
  void directAndFlinkRunnersWriteIdenticalOutputs() {
    assertParity(
        ExtractFixture.create(tmp.resolve("w.duckdb")),
        "fixture",
        "--logicalDate=" + ExtractFixture.DS);
  }

  /** The same on the demo warehouse (its deliberately malformed rows included), two weeks of it. */
  @Test
  void directAndFlinkRunnersAgreeOnTheDemoWarehouse() {
    assertParity(
        DemoFixtures.smallWarehouse(tmp, 7),
        "demo",
        "--logicalDate=2024-02-05",
        "--dataIntervalStart=2024-02-05",
        "--dataIntervalEnd=2024-02-19");
  }

  private void assertParity(Path warehouse, String label, String... window) {
    for (String recordType : List.of("events", "entity_days")) {
      Manifest directRun = run(warehouse, recordType, label + "-direct", window);
      Manifest flinkRun =
          run(
              warehouse,
              recordType,
              label + "-flink",
              concat(window, "--runner=FlinkRunner", "--parallelism=2"));
      assertThat(directRun.getRunner()).isEqualTo("DirectRunner");
      assertThat(flinkRun.getRunner()).isEqualTo("FlinkRunner");
      assertSameOutputs(recordType, label + "-direct", directRun, label + "-flink", flinkRun);
    }
  }

  /**
   * A read split into parts gives exactly the rows of one read: 1, 3 and 8 parts (the default) on
   * Flink at parallelism 2 write identical records, dead letters and counters, the demo warehouse's
   * malformed rows included (a NULL user id hashes to one part like any other value). A template
   * ending in a semicolon and a comment still nests as a subquery.
   */
  @Test
  void aReadSplitIntoPartsGivesExactlyTheRowsOfOneRead() throws Exception {
    Path warehouse = DemoFixtures.smallWarehouse(tmp, 7);
    Path template =
        java.nio.file.Files.writeString(
            tmp.resolve("events_semicolon.sql"),
            "SELECT event_id, user_id, event_type, event_at, amount FROM {{ table('events') }}\n"
                + "WHERE event_at >= {{ data_interval_start }} AND event_at < {{ data_interval_end }}; -- the end\n");
    String[] flink = {
      "--logicalDate=2024-02-05",
      "--dataIntervalStart=2024-02-05",
      "--dataIntervalEnd=2024-02-19",
      "--runner=FlinkRunner",
      "--parallelism=2"
    };
    for (String recordType : List.of("events", "entity_days")) {
      String[] options =
          recordType.equals("events") ? concat(flink, "--template=" + template) : flink;
      Manifest whole = run(warehouse, recordType, "parts1", concat(options, "--readPartitions=1"));
      assertThat(whole.getAttributesMap()).containsEntry("read_partitions", "1");
      for (int parts : List.of(3, 8, 24)) {
        String[] split = parts == 8 ? options : concat(options, "--readPartitions=" + parts);
        Manifest partitioned = run(warehouse, recordType, "parts" + parts, split);
        assertThat(partitioned.getAttributesMap())
            .containsEntry("read_partitions", Integer.toString(parts));
        assertSameOutputs(recordType, "parts1", whole, "parts" + parts, partitioned);
      }
      // Parts go to workers by random keys: 8 parts all land on one worker once in 128 runs, 24
      // parts once in 8 million, so the shards are checked on 24.
      assertThat(TfRecordFiles.names(tmp.resolve("parts24-" + recordType), "records-*.tfrecord"))
          .as(recordType + " record shards of 24 parts on 2 workers")
          .hasSizeGreaterThan(1);
    }
  }

  private void assertSameOutputs(
      String recordType, String labelA, Manifest a, String labelB, Manifest b) {
    Map<String, Long> countersA = new TreeMap<>(a.getCountersMap());
    assertThat(new TreeMap<>(b.getCountersMap()))
        .as(recordType + " counters")
        .isEqualTo(countersA)
        .containsKey("records");
    Path outA = tmp.resolve(labelA + "-" + recordType);
    Path outB = tmp.resolve(labelB + "-" + recordType);
    com.google.protobuf.Parser<? extends Message> parser =
        recordType.equals("events") ? Event.parser() : EntityDay.parser();
    List<String> recordsA = sorted(TfRecordFiles.read(outA, "records-*.tfrecord", parser));
    assertThat(recordsA)
        .as(recordType + " records")
        .isNotEmpty()
        .isEqualTo(sorted(TfRecordFiles.read(outB, "records-*.tfrecord", parser)));
    List<String> deadA =
        sorted(TfRecordFiles.read(outA, "dead_letter-*.tfrecord", DeadLetter.parser()));
    assertThat(deadA)
        .as(recordType + " dead letters")
        .isNotEmpty()
        .isEqualTo(sorted(TfRecordFiles.read(outB, "dead_letter-*.tfrecord", DeadLetter.parser())));
  }

  private Manifest run(Path warehouse, String recordType, String name, String... extra) {
    return ExtractRuns.run(warehouse, tmp.resolve(name + "-" + recordType), recordType, extra);
  }

  private static String[] concat(String[] first, String... more) {
    return ExtractRuns.concat(first, more);
  }

  private static List<String> sorted(List<? extends Message> records) {
    // Text format is canonical for proto3 (map entries sorted), so equal records print equally.
    return records.stream().map(Message::toString).sorted().toList();
  }
}
