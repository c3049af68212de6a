package io.mlproof.pipelines.backtest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.mlproof.pipelines.core.FileBytes;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.TaskOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * The save rate an A/B analysis measured: {@code saveRate} in the {@value #FILE} of a complete
 * {@code analyze} output ({@code {"estimate", "ci95Low", "ci95High", "definition"}}), which closes
 * the loop from the experiment back to the backtest.
 */
public record SaveRateSource(
    double estimate, double ci95Low, double ci95High, String definition, String where) {
  public static final String FILE = "analysis.json";

  public static SaveRateSource read(String analysisDir) {
    TaskOutput.read(analysisDir); // complete or absent: refuses a directory without its manifest
    ResourceId file =
        FileSystems.matchNewResource(analysisDir, true)
            .resolve(FILE, StandardResolveOptions.RESOLVE_FILE);
    Struct.Builder json = Struct.newBuilder();
    try {
      JsonFormat.parser()
          .ignoringUnknownFields()
          .merge(new String(FileBytes.read(file), StandardCharsets.UTF_8), json);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidInputException(
          "--saveRateFrom: " + file + " is not JSON: " + e.getMessage());
    } catch (IOException e) {
      throw new InvalidInputException(
          "--saveRateFrom: cannot read "
              + file
              + ": "
              + e.getMessage()
              + " (give the output directory of an A/B analysis task)");
    }
    Value saveRate = json.getFieldsMap().get("saveRate");
    if (saveRate == null || !saveRate.hasStructValue()) {
      throw new InvalidInputException(
          "--saveRateFrom: "
              + file
              + " has no saveRate object: give the output of"
              + " an A/B analysis that measured the save rate");
    }
    Struct s = saveRate.getStructValue();
    double estimate = number(s, "estimate", file);
    if (!(estimate >= 0 && estimate <= 1)) {
      throw new InvalidInputException(
          "--saveRateFrom: saveRate.estimate in "
              + file
              + " is "
              + estimate
              + ", not a share in [0, 1]: the campaign kept no one, so no backtest can make it pay");
    }
    // An interval may reach below 0 (the campaign may drive customers away): the grid keeps shares.
    return new SaveRateSource(
        estimate,
        clamp(number(s, "ci95Low", file)),
        clamp(number(s, "ci95High", file)),
        s.getFieldsMap().containsKey("definition")
            ? s.getFieldsOrThrow("definition").getStringValue()
            : "",
        analysisDir);
  }

  private static double number(Struct s, String key, ResourceId file) {
    Value v = s.getFieldsMap().get(key);
    if (v == null || !v.hasNumberValue()) {
      throw new InvalidInputException(
          "--saveRateFrom: saveRate."
              + key
              + " in "
              + file
              + " must be a number, got "
              + (v == null ? "nothing" : v.toString().trim()));
    }
    return v.getNumberValue();
  }

  private static double clamp(double share) {
    return Math.max(0, Math.min(1, share));
  }
}
