package io.mlproof.pipelines.features;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TextFormat;
import com.google.protobuf.TextFormatParseInfoTree;
import com.google.protobuf.util.JsonFormat;
import io.mlproof.pipelines.core.FileBytes;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.Sha256;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.Feature;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.FeatureType;
import io.mlproof.proto.v1.LabelSpec;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * Loads, checks, hashes and writes feature specifications: the one declaration of feature names,
 * order, types, windows and expected ranges that the features, validate, train, bless and score
 * stages share. Every stage goes through this class.
 *
 * <p>A spec the features stage computes is an {@code mlproof.v1.FeatureSpec} in protobuf text
 * format ({@link #load}, {@link #parse}): the proto is the schema, and the checks add the rules the
 * proto cannot say (known aggregations, windows, unique names), each problem a one-line {@link
 * InvalidInputException} naming the file and line. The spec of examples that already exist ({@link
 * #read}, {@link #fromFeaturesOutput}) may also be JSON or binary, and only needs {@link
 * #checkColumns}: its features are computed already, and may be categorical.
 */
public final class FeatureSpecs {
  /** The spec the features stage uses unless told otherwise. */
  public static final String DEFAULT = "churn_v1";

  /** Name of the effective spec's entry in a features output manifest. */
  public static final String OUTPUT_NAME = "feature_spec";

  /** File name of the effective spec inside a features output directory. */
  public static final String OUTPUT_FILE = "feature_spec.textproto";

  private static final String RESOURCE_DIR = "/feature_specs/";
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
  private static final int MAX_WINDOW_DAYS = 3660;

  /** TextFormatParseLocation lines are 0-based; messages use 1-based lines like editors. */
  private static final int LINE_BASE = 1;

  private static final String NOT_FOUND_FIX =
      "give a bundled spec name ("
          + DEFAULT
          + ") or the path of an mlproof.v1.FeatureSpec .textproto file";

  private FeatureSpecs() {}

  /**
   * The spec named {@code nameOrPath} for the features stage to compute: a bundled spec ({@code
   * churn_v1}) or a path/URI of a {@code .textproto} file on any Beam file system.
   */
  public static FeatureSpec load(String nameOrPath) {
    String resource = RESOURCE_DIR + nameOrPath + ".textproto";
    if (NAME.matcher(nameOrPath).matches()) {
      try (InputStream in = FeatureSpecs.class.getResourceAsStream(resource)) {
        if (in != null) {
          return parse(
              new String(in.readAllBytes(), StandardCharsets.UTF_8), "bundled:" + nameOrPath);
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot read bundled spec " + resource, e);
      }
    }
    return parse(text(readFile(nameOrPath, NOT_FOUND_FIX)), nameOrPath);
  }

  /**
   * Parses spec text and checks that the features stage can compute it; {@code source} names it in
   * error messages.
   */
  public static FeatureSpec parse(String text, String source) {
    TextFormatParseInfoTree.Builder locations = TextFormatParseInfoTree.builder();
    FeatureSpec spec = parseText(text, source, locations);
    checkComputable(spec, source, locations.build());
    return spec;
  }

  /**
   * The spec of existing examples in the file {@code path}: protobuf text format ({@code
   * .textproto}, what the features stage writes), JSON ({@code .json}) or binary (any other name).
   * Checked with {@link #checkColumns} only: the features are computed already.
   */
  public static FeatureSpec read(String path) {
    return parse(
        readFile(
            path, "give the path of an mlproof.v1.FeatureSpec file (.textproto, .json or binary)"),
        path);
  }

  /** A spec from its bytes; {@code path}'s suffix says the format. */
  private static FeatureSpec parse(byte[] bytes, String path) {
    FeatureSpec spec;
    if (path.endsWith(".textproto")) {
      spec = parseText(text(bytes), path, TextFormatParseInfoTree.builder());
    } else {
      try {
        if (path.endsWith(".json")) {
          FeatureSpec.Builder builder = FeatureSpec.newBuilder();
          JsonFormat.parser().merge(text(bytes), builder);
          spec = builder.build();
        } else {
          spec = FeatureSpec.parseFrom(bytes);
        }
      } catch (InvalidProtocolBufferException e) {
        throw new InvalidInputException(
            "feature spec " + path + " is not a FeatureSpec: " + e.getMessage());
      }
    }
    return checkColumns(spec, path);
  }

  /**
   * What every spec of examples must be, however it was made (a file, a features output, the
   * columns of a query): at least one feature, unique non-empty names, a declared type.
   */
  public static FeatureSpec checkColumns(FeatureSpec spec, String where) {
    if (spec.getFeaturesCount() == 0) {
      throw new InvalidInputException(
          "feature spec " + where + " has no features: declare at least one");
    }
    Set<String> names = new HashSet<>();
    for (Feature f : spec.getFeaturesList()) {
      if (f.getName().isEmpty() || !names.add(f.getName())) {
        throw new InvalidInputException(
            "feature spec "
                + where
                + " has an empty or repeated feature name '"
                + f.getName()
                + "': feature names must be unique");
      }
      if (f.getType() != FeatureType.NUMERIC && f.getType() != FeatureType.CATEGORICAL) {
        throw new InvalidInputException(
            "feature "
                + f.getName()
                + " in "
                + where
                + " has type "
                + f.getType()
                + ": use NUMERIC or CATEGORICAL");
      }
    }
    return spec;
  }

  /** The spec with its label replaced: the options of a features run override the file's label. */
  public static FeatureSpec withLabel(
      FeatureSpec spec, LabelDefinition definition, int horizonDays) {
    if (horizonDays <= 0) {
      throw new InvalidInputException("--horizonDays must be positive, got " + horizonDays);
    }
    return spec.toBuilder()
        .setLabel(
            spec.getLabel().toBuilder()
                .setDefinition(definition.proto())
                .setHorizonDays(horizonDays))
        .build();
  }

  /** SHA-256 (hex) of the serialized spec: what {@code Example.feature_spec_hash} carries. */
  public static String hash(FeatureSpec spec) {
    return Sha256.hex(spec.toByteArray());
  }

  /** Feature names in column order. */
  public static List<String> featureNames(FeatureSpec spec) {
    return spec.getFeaturesList().stream().map(Feature::getName).toList();
  }

  /**
   * The effective spec a features run recorded in its (complete) output: the file its manifest
   * lists as {@value #OUTPUT_NAME}, read by {@link #read}.
   */
  public static FeatureSpec fromFeaturesOutput(String featuresOutputDir) {
    return parse(
        TaskOutput.readVerified(featuresOutputDir, OUTPUT_NAME),
        TaskOutput.filePattern(featuresOutputDir, OUTPUT_NAME));
  }

  /** Writes the spec in text format to {@code file} (any Beam file system). */
  public static void write(FeatureSpec spec, String file) {
    try (WritableByteChannel out =
        FileSystems.create(FileSystems.matchNewResource(file, false), MimeTypes.TEXT)) {
      out.write(
          ByteBuffer.wrap(
              TextFormat.printer().printToString(spec).getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static FeatureSpec parseText(
      String text, String source, TextFormatParseInfoTree.Builder locations) {
    FeatureSpec.Builder builder = FeatureSpec.newBuilder();
    try {
      TextFormat.Parser.newBuilder()
          .setParseInfoTreeBuilder(locations)
          .build()
          .merge(text, builder);
    } catch (TextFormat.ParseException e) {
      throw new InvalidInputException(
          "feature spec "
              + source
              + ":"
              + e.getLine()
              + ":"
              + e.getColumn()
              + ": "
              + e.getMessage().replaceFirst("^\\d+:\\d+: ", "")
              + " (the file must be an mlproof.v1.FeatureSpec in protobuf text format)");
    }
    return builder.build();
  }

  /** The bytes of {@code path}; a missing file says {@code fix}. */
  private static byte[] readFile(String path, String fix) {
    try {
      return FileBytes.read(path);
    } catch (FileNotFoundException | java.nio.file.NoSuchFileException e) {
      throw new InvalidInputException("feature spec " + path + " not found: " + fix);
    } catch (IOException e) {
      throw new InvalidInputException("cannot read feature spec " + path + ": " + e.getMessage());
    }
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static void checkComputable(
      FeatureSpec spec, String source, TextFormatParseInfoTree where) {
    if (spec.getName().isEmpty()) {
      throw problem(source, 1, "the spec needs a name, e.g. name: \"churn_v1\"");
    }
    if (spec.getFeaturesCount() == 0) {
      throw problem(
          source, 1, "the spec declares no features: add at least one features { ... } block");
    }
    if (spec.getEligibilityDays() <= 0) {
      throw problem(
          source,
          line(where, "eligibility_days", 1),
          "eligibility_days must be positive (an entity is eligible with an event in [T - eligibility_days, T))");
    }
    checkLabel(spec.getLabel(), source, where);
    Set<String> names = new HashSet<>();
    FieldDescriptor featuresField = FeatureSpec.getDescriptor().findFieldByName("features");
    for (int i = 0; i < spec.getFeaturesCount(); i++) {
      Feature f = spec.getFeatures(i);
      TextFormatParseInfoTree fTree =
          i < where.getNestedTrees(featuresField).size()
              ? where.getNestedTree(featuresField, i)
              : null;
      int line =
          fTree == null
              ? line(where, "features", i, 1)
              : featureLine(fTree, "name", line(where, "features", i, 1));
      String label = "feature #" + (i + 1) + " '" + f.getName() + "'";
      if (!NAME.matcher(f.getName()).matches()) {
        throw problem(source, line, label + ": name must match [a-z][a-z0-9_]*");
      }
      if (!names.add(f.getName())) {
        throw problem(
            source, line, label + ": the name is declared twice; feature names must be unique");
      }
      if (f.getType() != FeatureType.NUMERIC) {
        throw problem(
            source,
            line,
            label + ": type must be NUMERIC (categorical features are not supported yet)");
      }
      Aggregation aggregation = Aggregations.get(f.getAggregation());
      if (aggregation == null) {
        throw problem(
            source,
            fTree == null ? line : featureLine(fTree, "aggregation", line),
            label
                + ": unknown aggregation '"
                + f.getAggregation()
                + "' (known: "
                + String.join(", ", Aggregations.names())
                + ")");
      }
      int windowLine = fTree == null ? line : featureLine(fTree, "window_days", line);
      if (aggregation.windowed()
          && (f.getWindowDays() <= 0 || f.getWindowDays() > MAX_WINDOW_DAYS)) {
        throw problem(
            source,
            windowLine,
            label
                + ": aggregation '"
                + f.getAggregation()
                + "' needs window_days between 1 and "
                + MAX_WINDOW_DAYS
                + ", got "
                + f.getWindowDays());
      }
      if (!aggregation.windowed() && f.getWindowDays() != 0) {
        throw problem(
            source,
            windowLine,
            label
                + ": aggregation '"
                + f.getAggregation()
                + "' is not windowed; remove window_days");
      }
      if (f.hasMinValue() && f.hasMaxValue() && f.getMinValue() > f.getMaxValue()) {
        throw problem(
            source,
            line,
            label + ": min_value " + f.getMinValue() + " > max_value " + f.getMaxValue());
      }
    }
  }

  private static void checkLabel(LabelSpec label, String source, TextFormatParseInfoTree where) {
    int line = line(where, "label", 0, 1);
    if (label.getName().isEmpty()) {
      throw problem(source, line, "the label needs a name, e.g. label { name: \"churned\" ... }");
    }
    if (LabelDefinition.of(label.getDefinition()).isEmpty()) {
      throw problem(
          source,
          line,
          "label definition "
              + label.getDefinition()
              + " is not one the features stage computes (known: "
              + java.util.Arrays.toString(LabelDefinition.values())
              + ")");
    }
    if (label.getHorizonDays() <= 0) {
      throw problem(
          source, line, "label horizon_days must be positive, got " + label.getHorizonDays());
    }
  }

  /**
   * 1-based line of a field of the spec (top level), or {@code fallback} when the text lacks it.
   */
  private static int line(TextFormatParseInfoTree tree, String field, int fallback) {
    return line(tree, field, 0, fallback);
  }

  private static int line(TextFormatParseInfoTree tree, String field, int index, int fallback) {
    return location(tree, FeatureSpec.getDescriptor().findFieldByName(field), index, fallback);
  }

  /** 1-based line of a field inside one {@code features} block. */
  private static int featureLine(TextFormatParseInfoTree tree, String field, int fallback) {
    return location(tree, Feature.getDescriptor().findFieldByName(field), 0, fallback);
  }

  private static int location(
      TextFormatParseInfoTree tree, FieldDescriptor fd, int index, int fallback) {
    if (tree == null || index >= tree.getLocations(fd).size()) {
      return fallback; // the field is absent from the text: point at the enclosing block
    }
    return tree.getLocation(fd, index).getLine() + LINE_BASE;
  }

  private static InvalidInputException problem(String source, int line, String what) {
    return new InvalidInputException("feature spec " + source + ":" + line + ": " + what);
  }
}
