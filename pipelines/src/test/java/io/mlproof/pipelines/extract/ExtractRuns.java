package io.mlproof.pipelines.extract;

import io.mlproof.pipelines.warehouse.DuckDbFixture;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.Manifest;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Whole extract runs on a DuckDB file for the tests that compare runs with each other. */
final class ExtractRuns {

  private ExtractRuns() {}

  /** One extract of {@code recordType} into {@code output}, every bad row allowed. */
  static Manifest run(Path warehouse, Path output, String recordType, String... extra) {
    String[] args =
        concat(
            new String[] {
              "--warehouse=" + DuckDbFixture.spec(warehouse),
              "--output=" + output,
              "--recordType=" + recordType,
              "--maxBadFraction=1"
            },
            extra);
    return ExtractPipeline.run(
        ExtractPipeline.parse(args), Warehouse.parse(DuckDbFixture.spec(warehouse)), System.out);
  }

  static String[] concat(String[] first, String... more) {
    return Stream.concat(Stream.of(first), Stream.of(more)).toArray(String[]::new);
  }
}
