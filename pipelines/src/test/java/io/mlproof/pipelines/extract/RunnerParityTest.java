package io.mlproof.pipelines.extract;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.mlproof.pipelines.demo.DemoFixtures;
import io.mlproof.pipelines.warehouse.DuckDbFixture;
import io.mlproof.pipelines.warehouse.Warehouse;
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
 * --flinkMaster, parallelism 2) gives identical records, dead letters and counters: on a
 * hand-made fixture and on the demo warehouse.
 */
class RunnerParityTest {

  @TempDir Path tmp;

  @Test
  void directAndFlinkRunnersWriteIdenticalOutputs() {
    assertParity(ExtractFixture.create(tmp.resolve("w.duckdb")), "fixture",
        "--logicalDate=" + ExtractFixture.DS);
  }

  /** The same on the demo warehouse (its deliberately malformed rows included), two weeks of it. */
  @Test
  void directAndFlinkRunnersAgreeOnTheDemoWarehouse() {
    assertParity(DemoFixtures.smallWarehouse(tmp, 7), "demo",
        "--logicalDate=2024-02-05", "--dataIntervalStart=2024-02-05", "--dataIntervalEnd=2024-02-19");
  }

  private void assertParity(Path warehouse, String label, String... window) {
    for (String recordType : List.of("events", "entity_days")) {
      Manifest directRun = run(warehouse, recordType, label + "-direct", window);
      Manifest flinkRun = run(warehouse, recordType, label + "-flink", concat(window, "--runner=FlinkRunner", "--parallelism=2"));
      assertThat(directRun.getRunner()).isEqualTo("DirectRunner");
      assertThat(flinkRun.getRunner()).isEqualTo("FlinkRunner");
      Map<String, Long> direct = new TreeMap<>(directRun.getCountersMap());
      Map<String, Long> flink = new TreeMap<>(flinkRun.getCountersMap());

      assertThat(flink).as(recordType + " counters").isEqualTo(direct).containsKey("records");
      Path directOut = tmp.resolve(label + "-direct-" + recordType);
      Path flinkOut = tmp.resolve(label + "-flink-" + recordType);
      com.google.protobuf.Parser<? extends Message> parser =
          recordType.equals("events") ? Event.parser() : EntityDay.parser();
      List<String> directRecords = sorted(TfRecordFiles.read(directOut, "records-*.tfrecord", parser));
      assertThat(directRecords).as(recordType + " records").isNotEmpty()
          .isEqualTo(sorted(TfRecordFiles.read(flinkOut, "records-*.tfrecord", parser)));
      assertThat(sorted(TfRecordFiles.read(flinkOut, "dead_letter-*.tfrecord", DeadLetter.parser())))
          .as(recordType + " dead letters")
          .isEqualTo(sorted(TfRecordFiles.read(directOut, "dead_letter-*.tfrecord", DeadLetter.parser())));
    }
  }

  private Manifest run(Path warehouse, String recordType, String name, String... extra) {
    String[] args = concat(new String[] {
        "--warehouse=" + DuckDbFixture.spec(warehouse), "--output=" + tmp.resolve(name + "-" + recordType),
        "--recordType=" + recordType, "--maxBadFraction=1"}, extra);
    return ExtractPipeline.run(ExtractPipeline.parse(args), Warehouse.parse(DuckDbFixture.spec(warehouse)), System.out);
  }

  private static String[] concat(String[] first, String... more) {
    return java.util.stream.Stream.concat(java.util.Arrays.stream(first), java.util.Arrays.stream(more))
        .toArray(String[]::new);
  }

  private static List<String> sorted(List<? extends Message> records) {
    // Text format is canonical for proto3 (map entries sorted), so equal records print equally.
    return records.stream().map(Message::toString).sorted().toList();
  }
}
