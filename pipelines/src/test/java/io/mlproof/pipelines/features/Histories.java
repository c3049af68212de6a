package io.mlproof.pipelines.features;

import io.mlproof.pipelines.core.ProtoRecords;
import io.mlproof.pipelines.core.StageRun;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.EntityDay;
import io.mlproof.proto.v1.Example;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;

/** Hand-made entity histories for the features tests. */
final class Histories {
  static final FeatureSpec CHURN = FeatureSpecs.load(FeatureSpecs.DEFAULT);

  private Histories() {}

  /** Days since epoch of an ISO date. */
  static int d(String date) {
    return (int) LocalDate.parse(date).toEpochDay();
  }

  /**
   * A committed extract-like output at {@code dir}: one records shard per list in {@code shards},
   * the manifest naming {@code type} as their record type.
   */
  static Path extractOutput(Path dir, List<List<EntityDay>> shards, String type)
      throws IOException {
    TaskOutput output = TaskOutput.begin(dir.toString());
    long rows = 0;
    for (int i = 0; i < shards.size(); i++) {
      Path file =
          Path.of(
              output.staging("records")
                  + String.format(Locale.ROOT, "-%05d-of-%05d", i, shards.size())
                  + ProtoRecords.SUFFIX);
      Files.createDirectories(file.getParent());
      TfRecordFiles.write(file, shards.get(i));
      rows += shards.get(i).size();
    }
    output.commit(
        Manifest.newBuilder()
            .setPipeline("extract")
            .addFiles(
                OutputFile.newBuilder()
                    .setName("records")
                    .setPath(ProtoRecords.shardGlob("records"))
                    .setRecords(rows)
                    .setRecordType(type))
            .build());
    return dir;
  }

  /** An empty entity-day; set the counts on the builder. */
  static EntityDay.Builder row(String entity, String date, String signupDate) {
    return EntityDay.newBuilder().setEntityId(entity).setDay(d(date)).setSignupDay(d(signupDate));
  }

  static FeaturePlan plan(LabelDefinition label, int horizonDays) {
    return FeaturePlan.of(FeatureSpecs.withLabel(CHURN, label, horizonDays));
  }

  /** Applies ComputeExamples to {@code rows} in {@code p}. */
  static PCollectionTuple compute(
      TestPipeline p,
      List<EntityDay> rows,
      FeaturePlan plan,
      List<String> cutoffs,
      boolean requireLabels) {
    return compute(p, "Compute", rows, plan, cutoffs, requireLabels);
  }

  /** Same, with a step name so one pipeline can hold several computations. */
  static PCollectionTuple compute(
      TestPipeline p,
      String name,
      List<EntityDay> rows,
      FeaturePlan plan,
      List<String> cutoffs,
      boolean requireLabels) {
    return p.apply(name + "Rows", Create.of(rows).withCoder(ProtoCoder.of(EntityDay.class)))
        .apply(
            name,
            ComputeExamples.of(plan, cutoffs.stream().map(Histories::d).toList(), requireLabels));
  }

  /** Feature values by name. */
  static Map<String, Double> features(Example e) {
    Map<String, Double> byName = new LinkedHashMap<>();
    List<String> names = FeatureSpecs.featureNames(CHURN);
    for (int i = 0; i < names.size(); i++) {
      byName.put(names.get(i), e.getFeatures(i));
    }
    return byName;
  }

  /** Examples by "entity@date". */
  static Map<String, Example> byKey(Iterable<Example> examples) {
    Map<String, Example> out = new HashMap<>();
    for (Example e : examples) {
      Example previous = out.put(e.getEntityId() + "@" + LocalDate.ofEpochDay(e.getCutoffDay()), e);
      if (previous != null) {
        throw new AssertionError("two examples for " + e.getEntityId() + " at " + e.getCutoffDay());
      }
    }
    return out;
  }

  /** Runs the pipeline and returns its counters. */
  static Map<String, Long> runAndCount(TestPipeline p) {
    PipelineResult result = p.run();
    result.waitUntilFinish();
    return StageRun.counters(result);
  }

  /** A test's pipeline; TestPipelineEnforcement fails the test if it is built and not run. */
  static TestPipeline pipeline() {
    return TestPipeline.create().enableAbandonedNodeEnforcement(true);
  }
}
