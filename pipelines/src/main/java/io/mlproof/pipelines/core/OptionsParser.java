package io.mlproof.pipelines.core;

import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Beam option parsing for every stage, with one error format: an unknown, missing or malformed
 * option is a one-line {@link InvalidInputException} (exit 2) ending in where to read the help.
 */
public final class OptionsParser {

  private OptionsParser() {}

  public static <T extends PipelineOptions> T parse(String pipeline, String[] args, Class<T> type) {
    try {
      return PipelineOptionsFactory.fromArgs(args).withValidation().as(type);
    } catch (IllegalArgumentException e) {
      RuntimeException user =
          UserErrors.find(e); // an option's own check (e.g. a bad enum value type)
      if (user != null) {
        throw user;
      }
      throw new InvalidInputException(
          String.valueOf(e.getMessage()).lines().findFirst().orElse("invalid options")
              + " (see: mlproof run "
              + pipeline
              + " --help)",
          e);
    }
  }
}
