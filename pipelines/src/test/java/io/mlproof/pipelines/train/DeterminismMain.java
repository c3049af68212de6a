package io.mlproof.pipelines.train;

import io.mlproof.pipelines.model.SyntheticExamples;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Trains on a features output in a fresh JVM and prints the model's SHA-256 (determinism test). */
public final class DeterminismMain {
  private DeterminismMain() {}

  public static void main(String[] args) {
    TrainPipeline.Result result =
        TrainPipeline.run(
            SyntheticExamples.options(SyntheticExamples.trainArgs(args[0], Path.of(args[1]))),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    System.out.println("model_sha256=" + result.metadata().getModelSha256());
  }
}
