package io.mlproof.pipelines.train;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.FeatureType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.io.FileSystems;

/**
 * The feature spec of a set of examples, and its hash (the SHA-256 of the serialized spec, which
 * every {@code Example} carries).
 *
 * <p>Where it comes from: the features output lists it as a logical output named
 * {@value #OUTPUT_NAME} ({@code FeatureSpec} as JSON when the path ends in {@code .json}, binary
 * otherwise); {@code --featureSpec} names a file directly instead.
 */
public final class FeatureSpecs {
  /** Name of the spec's entry in the features output manifest. */
  public static final String OUTPUT_NAME = "feature_spec";

  private FeatureSpecs() {}

  public static String hash(FeatureSpec spec) {
    return io.mlproof.pipelines.features.FeatureSpecs.hash(spec);
  }

  /** The spec recorded in a features output, or a one-line error saying what is missing. */
  public static FeatureSpec fromFeaturesOutput(String featuresDir) {
    return fromFile(TaskOutput.filePattern(featuresDir, OUTPUT_NAME));
  }

  /**
   * Reads a spec file: protobuf text format ({@code .textproto}, what the features stage writes and
   * ships), JSON ({@code .json}) or binary proto.
   */
  public static FeatureSpec fromFile(String path) {
    if (path.endsWith(".textproto")) {
      return validate(io.mlproof.pipelines.features.FeatureSpecs.load(path), path);
    }
    byte[] bytes = readAll(path);
    try {
      FeatureSpec spec;
      if (path.endsWith(".json")) {
        FeatureSpec.Builder builder = FeatureSpec.newBuilder();
        JsonFormat.parser().merge(new String(bytes, StandardCharsets.UTF_8), builder);
        spec = builder.build();
      } else {
        spec = FeatureSpec.parseFrom(bytes);
      }
      return validate(spec, path);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidInputException("feature spec " + path + " is not a FeatureSpec: " + e.getMessage());
    }
  }

  /** A spec mlproof can train on: named features, known types, no duplicate names. */
  public static FeatureSpec validate(FeatureSpec spec, String where) {
    if (spec.getFeaturesCount() == 0) {
      throw new InvalidInputException("feature spec " + where + " has no features: declare at least one");
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    for (var f : spec.getFeaturesList()) {
      if (f.getName().isEmpty() || !names.add(f.getName())) {
        throw new InvalidInputException(
            "feature spec " + where + " has an empty or repeated feature name '" + f.getName()
                + "': feature names must be unique");
      }
      if (f.getType() != FeatureType.NUMERIC && f.getType() != FeatureType.CATEGORICAL) {
        throw new InvalidInputException(
            "feature " + f.getName() + " in " + where + " has type " + f.getType()
                + ": use NUMERIC or CATEGORICAL");
      }
    }
    return spec;
  }

  static byte[] readAll(String path) {
    try (InputStream in = Channels.newInputStream(
        FileSystems.open(FileSystems.matchNewResource(path, false)))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new InvalidInputException("cannot read " + path + ": " + e.getMessage() + " (check the path)", e);
    }
  }
}
