package io.mlproof.pipelines.model;

import io.mlproof.pipelines.core.ProtoRecords;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.features.ComputeStatistics;
import io.mlproof.pipelines.features.FeatureSpecs;
import io.mlproof.pipelines.features.FeaturesPipeline;
import io.mlproof.pipelines.train.TrainOptions;
import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.Example;
import io.mlproof.proto.v1.Feature;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.FeatureType;
import io.mlproof.proto.v1.LabelSpec;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * Hand-made churn examples written as a features output (TFRecords, spec, manifest), standing in
 * for the features stage. Two worlds: one where churn is a pure recency rule (the heuristic cannot
 * be beaten), one where sessions and country matter too (a model should win).
 */
public final class SyntheticExamples {
  public static final int HORIZON = 30;
  public static final int[] CUTOFFS = {19800, 19830, 19860, 19890};
  private static final double[] COUNTRY_EFFECT = {1.5, 0.0, -0.8, 0.0, 1.0};

  public enum World {
    RECENCY_RULE,
    MANY_FEATURES
  }

  private SyntheticExamples() {}

  static {
    FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
  }

  public static FeatureSpec spec() {
    return FeatureSpec.newBuilder()
        .setName("churn_test")
        .setVersion(1)
        .addFeatures(numeric("days_since_last_purchase"))
        .addFeatures(numeric("sessions_30d"))
        .addFeatures(numeric("purchases_90d"))
        .addFeatures(Feature.newBuilder().setName("country").setType(FeatureType.CATEGORICAL))
        .addFeatures(numeric("noise"))
        .setLabel(
            LabelSpec.newBuilder()
                .setName("churned")
                .setDefinition(LabelSpec.Definition.NO_PURCHASE)
                .setHorizonDays(HORIZON))
        .build();
  }

  private static Feature numeric(String name) {
    return Feature.newBuilder().setName(name).setType(FeatureType.NUMERIC).build();
  }

  public static List<Example> generate(World world, int entities, long seed) {
    FeatureSpec spec = spec();
    String hash = FeatureSpecs.hash(spec);
    Random random = new Random(seed);
    List<Example> out = new ArrayList<>();
    for (int cutoff : CUTOFFS) {
      for (int e = 0; e < entities; e++) {
        double recency = random.nextDouble() < 0.05 ? Double.NaN : random.nextInt(91);
        double sessions = random.nextInt(21);
        double purchases = random.nextInt(11);
        int country = random.nextInt(5);
        double noise = random.nextGaussian();
        boolean label;
        if (world == World.RECENCY_RULE) {
          label = Double.isNaN(recency) || recency > 30;
        } else {
          double r = Double.isNaN(recency) ? 60 : recency;
          double logit =
              -1.0
                  + 0.02 * r
                  - 0.3 * sessions
                  + COUNTRY_EFFECT[country]
                  + (sessions < 4 && r > 40 ? 2.0 : 0.0);
          label = random.nextDouble() < 1 / (1 + Math.exp(-logit));
        }
        out.add(
            Example.newBuilder()
                .setEntityId(String.format("u%05d", e))
                .setCutoffDay(cutoff)
                .addFeatures(recency)
                .addFeatures(sessions)
                .addFeatures(purchases)
                .addFeatures(country)
                .addFeatures(noise)
                .setHasLabel(true)
                .setLabel(label)
                .setFeatureSpecHash(hash)
                .build());
      }
    }
    return out;
  }

  /** Unlabelled examples at one new cutoff day, as the features task writes them for scoring. */
  public static List<Example> scoring(int entities, int cutoff, long seed) {
    List<Example> out = new ArrayList<>();
    for (Example e : generate(World.MANY_FEATURES, entities, seed)) {
      if (e.getCutoffDay() == CUTOFFS[0]) {
        out.add(e.toBuilder().setCutoffDay(cutoff).setHasLabel(false).setLabel(false).build());
      }
    }
    return out;
  }

  /**
   * Writes {@code examples} as a complete features output in {@code shards} files (round robin).
   */
  public static String writeFeaturesOutput(
      Path dir, FeatureSpec spec, List<Example> examples, int shards) {
    return writeFeaturesOutput(dir, spec, examples, shards, null);
  }

  /**
   * {@link #writeFeaturesOutput(Path, FeatureSpec, List, int)} with {@code statistics} (if not
   * null) saved as the features stage saves its own: {@code statistics.pb}, named {@code
   * statistics} in the manifest.
   */
  public static String writeFeaturesOutput(
      Path dir,
      FeatureSpec spec,
      List<Example> examples,
      int shards,
      DatasetStatistics statistics) {
    TaskOutput output = TaskOutput.begin(dir.toString());
    List<TfRecordFiles.Writer> writers = new ArrayList<>();
    try {
      for (int s = 0; s < shards; s++) {
        writers.add(
            new TfRecordFiles.Writer(
                output.staging(String.format("records-%05d-of-%05d.tfrecord", s, shards))));
      }
      for (int i = 0; i < examples.size(); i++) {
        writers.get(i % shards).write(examples.get(i).toByteArray());
      }
      for (TfRecordFiles.Writer w : writers) {
        w.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ModelArtifact.write(
        output.staging("feature_spec.json"),
        ModelArtifact.json(spec).getBytes(StandardCharsets.UTF_8),
        MimeTypes.TEXT);
    Manifest.Builder manifest =
        Manifest.newBuilder()
            .setPipeline("features")
            .addFiles(
                ProtoRecords.manifestEntry("records", examples.size(), Example.getDescriptor()))
            .addFiles(
                OutputFile.newBuilder()
                    .setName(FeatureSpecs.OUTPUT_NAME)
                    .setPath("feature_spec.json"));
    if (statistics != null) {
      ModelArtifact.write(
          output.staging(ComputeStatistics.PB_FILE), statistics.toByteArray(), MimeTypes.BINARY);
      manifest.addFiles(
          OutputFile.newBuilder()
              .setName(FeaturesPipeline.STATISTICS)
              .setPath(ComputeStatistics.PB_FILE)
              .setRecords(1)
              .setRecordType(DatasetStatistics.getDescriptor().getFullName()));
    }
    output.commit(manifest.build());
    return dir.toString();
  }

  public static String write(Path dir, World world, int entities, long seed) {
    return writeFeaturesOutput(dir, spec(), generate(world, entities, seed), 3);
  }

  /** Fast, small-data training options for tests. */
  public static String[] trainArgs(String examples, Path output, String... more) {
    return merge(
        List.of(
            "--examples=" + examples,
            "--output=" + output,
            "--numIterations=200",
            "--learningRate=0.1",
            "--numLeaves=15",
            "--earlyStoppingRounds=20"),
        more);
  }

  /**
   * {@code defaults} with each option in {@code overrides} replacing the default of the same name.
   */
  public static String[] merge(List<String> defaults, String... overrides) {
    List<String> args = new ArrayList<>(defaults);
    for (String option : overrides) {
      String key = option.substring(0, option.indexOf('=') + 1);
      args.removeIf(a -> a.startsWith(key));
      args.add(option);
    }
    return args.toArray(String[]::new);
  }

  public static TrainOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).withValidation().as(TrainOptions.class);
  }
}
