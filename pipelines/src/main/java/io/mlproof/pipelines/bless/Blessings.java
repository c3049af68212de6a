package io.mlproof.pipelines.bless;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.proto.v1.Blessing;
import io.mlproof.proto.v1.Manifest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Reading blessings, and the gate scoring passes through. */
public final class Blessings {
  public static final String OUTPUT_NAME = "blessing";
  public static final String FILE = "blessing.json";

  private Blessings() {}

  /** The blessing recorded in a complete output, if it has one. */
  public static Optional<Blessing> read(String dir) {
    Manifest manifest = TaskOutput.read(dir);
    if (manifest.getFilesList().stream().noneMatch(f -> f.getName().equals(OUTPUT_NAME))) {
      return Optional.empty();
    }
    return Optional.of(
        parse(TaskOutput.readVerified(dir, OUTPUT_NAME), TaskOutput.filePattern(dir, OUTPUT_NAME)));
  }

  /** A blessing from its JSON file's bytes; {@code path} names the file in the error. */
  static Blessing parse(byte[] json, String path) {
    try {
      Blessing.Builder blessing = Blessing.newBuilder();
      JsonFormat.parser().merge(new String(json, StandardCharsets.UTF_8), blessing);
      return blessing.build();
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidInputException(
          "blessing " + path + " is corrupt: " + e.getMessage() + " (re-run bless)");
    }
  }

  /**
   * The blessing of the model in {@code dir}, required to say yes: an unblessed model is never used
   * silently. {@code allowUnblessed} lets a person score a model bless has not seen (a train
   * output) on purpose; a model bless rejected is refused even then.
   *
   * @return the blessing, or empty when allowed to go without
   */
  public static Optional<Blessing> requireBlessed(String dir, boolean allowUnblessed) {
    Optional<Blessing> blessing = read(dir);
    if (blessing.isEmpty()) {
      if (allowUnblessed) {
        return blessing;
      }
      throw new InvalidInputException(
          "the model at "
              + dir
              + " has no blessing: point --model at the output of `mlproof run bless`"
              + " for it, or pass --allowUnblessed to score with an unvetted model on purpose");
    }
    if (!blessing.get().getBlessed()) {
      throw new RunFailedException(
          "model "
              + blessing.get().getModelId()
              + " was not blessed ("
              + String.join("; ", blessing.get().getReasonsList())
              + "): it is not used for scoring; train a better model or keep the baseline");
    }
    return blessing;
  }

  /**
   * Refuses model files that are not the ones {@code blessing} names: a blessing vouches for one
   * model, by the SHA-256 of its model file and of its metadata.
   */
  public static void requireSameModel(Blessing blessing, ModelArtifact model, String dir) {
    if (!blessing.getModelSha256().equals(model.metadata().getModelSha256())
        || !blessing.getMetadataSha256().equals(model.metadataSha256())) {
      throw new InvalidInputException(
          "the model in "
              + dir
              + " (model "
              + model.metadata().getModelSha256()
              + ", metadata "
              + model.metadataSha256()
              + ") is not the model its blessing names (model "
              + blessing.getModelSha256()
              + ", metadata "
              + (blessing.getMetadataSha256().isEmpty()
                  ? "not recorded"
                  : blessing.getMetadataSha256())
              + "): the files were replaced after bless; re-run bless for this model");
    }
  }
}
