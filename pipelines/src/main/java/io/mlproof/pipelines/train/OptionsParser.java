package io.mlproof.pipelines.train;

import io.mlproof.pipelines.core.InvalidInputException;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Beam option parsing with its errors (unknown or missing options) as one-line user errors. */
public final class OptionsParser {

  private OptionsParser() {}

  public static <T extends PipelineOptions> T parse(String pipeline, String[] args, Class<T> type) {
    try {
      return PipelineOptionsFactory.fromArgs(args).withValidation().as(type);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          e.getMessage().lines().findFirst().orElse("invalid options") + " (see: mlproof run " + pipeline + " --help)", e);
    }
  }
}
