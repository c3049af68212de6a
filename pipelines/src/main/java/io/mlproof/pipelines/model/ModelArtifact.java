package io.mlproof.pipelines.model;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.microsoft.ml.lightgbm.PredictionType;
import io.github.metarank.lightgbm4j.LGBMBooster;
import io.github.metarank.lightgbm4j.LGBMException;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.Sha256;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.ModelMetadata;
import io.mlproof.proto.v1.OutputFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * A trained model on disk: the LightGBM text model ({@value #MODEL_FILE}) and its {@code
 * ModelMetadata} ({@value #METADATA_FILE}, with a JSON copy for people). Loading checks the model
 * file against the SHA-256 recorded at training, so a changed file is never scored with.
 */
public final class ModelArtifact {
  public static final String MODEL_FILE = "model.txt";

  /** The output of train holding its test rows as Example records (bless re-scores them). */
  public static final String TEST_ROWS = "test";

  public static final String METADATA_FILE = "metadata.pb";
  public static final String METADATA_JSON = "metadata.json";

  /** Logical output names in the manifest. */
  public static final String MODEL = "model";

  public static final String METADATA = "metadata";
  public static final String METADATA_JSON_NAME = "metadata_json";

  private final ModelMetadata metadata;
  private final byte[] metadataBytes;
  private final String modelText;
  private final String location;

  private ModelArtifact(
      ModelMetadata metadata, byte[] metadataBytes, String modelText, String location) {
    this.metadata = metadata;
    this.metadataBytes = metadataBytes.clone();
    this.modelText = modelText;
    this.location = location;
  }

  /** A model just trained; {@code metadata} must already carry the text's SHA-256. */
  public static ModelArtifact of(ModelMetadata metadata, String modelText) {
    return new ModelArtifact(metadata, metadata.toByteArray(), modelText, "(in memory)");
  }

  /** SHA-256 of {@value #METADATA_FILE} as written (a copy, e.g. by bless, keeps the bytes). */
  public String metadataSha256() {
    return Sha256.hex(metadataBytes);
  }

  public ModelMetadata metadata() {
    return metadata;
  }

  public String modelText() {
    return modelText;
  }

  public String id() {
    return metadata.getModelId();
  }

  /** SHA-256 of the model file's bytes. */
  public static String sha256(String modelText) {
    return Sha256.hex(modelText.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * {@code <spec name>-<first 12 hex digits of the model's SHA-256>}: the same model, the same id.
   */
  public static String modelId(FeatureSpec spec, String modelSha256) {
    return (spec.getName().isEmpty() ? "model" : spec.getName())
        + "-"
        + modelSha256.substring(0, 12);
  }

  /** Writes the three files into {@code output}'s staging area; returns their manifest entries. */
  public List<OutputFile> writeTo(TaskOutput output) {
    return writeTo(output::staging);
  }

  /** Writes the three files where {@code staging} maps their names; returns their entries. */
  public List<OutputFile> writeTo(UnaryOperator<String> staging) {
    write(staging.apply(MODEL_FILE), modelText.getBytes(StandardCharsets.UTF_8), MimeTypes.TEXT);
    write(staging.apply(METADATA_FILE), metadataBytes, MimeTypes.BINARY);
    write(
        staging.apply(METADATA_JSON),
        json(metadata).getBytes(StandardCharsets.UTF_8),
        MimeTypes.TEXT);
    return List.of(
        OutputFile.newBuilder().setName(MODEL).setPath(MODEL_FILE).build(),
        OutputFile.newBuilder()
            .setName(METADATA)
            .setPath(METADATA_FILE)
            .setRecordType(ModelMetadata.getDescriptor().getFullName())
            .build(),
        OutputFile.newBuilder().setName(METADATA_JSON_NAME).setPath(METADATA_JSON).build());
  }

  /**
   * Loads the model in a complete train (or bless) output and verifies the model file against the
   * recorded SHA-256.
   */
  public static ModelArtifact load(String dir) {
    String metadataPath = TaskOutput.filePattern(dir, METADATA);
    byte[] metadataBytes = TaskOutput.readVerified(dir, METADATA);
    ModelMetadata metadata;
    try {
      metadata = ModelMetadata.parseFrom(metadataBytes);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidInputException(
          "model metadata "
              + metadataPath
              + " is corrupt: "
              + e.getMessage()
              + " (retrain the model)");
    }
    String modelPath = TaskOutput.filePattern(dir, MODEL);
    byte[] bytes = TaskOutput.readVerified(dir, MODEL);
    String actual = Sha256.hex(bytes);
    if (!actual.equals(metadata.getModelSha256())) {
      throw new InvalidInputException(
          "model file "
              + modelPath
              + " has SHA-256 "
              + actual
              + " but model "
              + metadata.getModelId()
              + " was trained as "
              + metadata.getModelSha256()
              + ": the file was changed after training; restore it or retrain");
    }
    return new ModelArtifact(
        metadata, metadataBytes, new String(bytes, StandardCharsets.UTF_8), dir);
  }

  /** Refuses examples built with another feature spec than the model's. */
  public void checkSpec(String examplesSpecHash, String examplesWhere) {
    if (!metadata.getFeatureSpecHash().equals(examplesSpecHash)) {
      throw new InvalidInputException(
          "the examples at "
              + examplesWhere
              + " were built with feature spec "
              + examplesSpecHash
              + " but model "
              + id()
              + " ("
              + location
              + ") expects "
              + metadata.getFeatureSpec().getName()
              + " v"
              + metadata.getFeatureSpec().getVersion()
              + " ("
              + metadata.getFeatureSpecHash()
              + "): build the features with the model's spec, or retrain on these features");
    }
  }

  /** Probabilities for the rows of {@code m}, by LightGBM's own batch prediction. */
  public double[] predict(ExampleMatrix m, int threads) {
    checkSpec(m.specHash(), "(matrix)");
    return predict(m.values(), m.rows(), m.columns(), threads);
  }

  public double[] predict(double[] values, int rows, int columns, int threads) {
    if (rows == 0) {
      return new double[0];
    }
    LightGbmNative.load();
    try (LGBMBooster booster = LGBMBooster.loadModelFromString(modelText)) {
      if (booster.getNumFeature() != columns) {
        throw new InvalidInputException(
            "model "
                + id()
                + " takes "
                + booster.getNumFeature()
                + " features but the rows have "
                + columns
                + ": score with the model's feature spec");
      }
      return booster.predictForMat(
          values,
          rows,
          columns,
          true,
          PredictionType.C_API_PREDICT_NORMAL,
          "num_threads=" + threads);
    } catch (LGBMException e) {
      throw new RunFailedException(
          "LightGBM could not score with model " + id() + ": " + e.getMessage(), e);
    }
  }

  public static String json(Message message) {
    try {
      return JsonFormat.printer().print(message) + "\n";
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void write(String path, byte[] bytes, String mimeType) {
    try (WritableByteChannel channel =
        FileSystems.create(FileSystems.matchNewResource(path, false), mimeType)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      throw new RunFailedException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }
}
