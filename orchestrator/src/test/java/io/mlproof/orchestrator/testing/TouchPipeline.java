package io.mlproof.orchestrator.testing;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.LogicalDateOptions;
import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.TaskOptions;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.Manifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Test-only pipeline: commits an output whose {@code data.txt} holds the run's logical date, its
 * params and, when {@code --input} names an upstream output, that output's {@code data.txt}: enough
 * to see which upstream output and which options a task got.
 */
public final class TouchPipeline implements MlproofPipeline {

  /** Options of the test pipeline. */
  public interface TouchOptions extends TaskOptions, LogicalDateOptions {
    @Description("An upstream output directory whose data.txt is copied in.")
    @Default.String("")
    String getInput();

    void setInput(String value);

    @Description("A number, to check typed option validation.")
    @Default.Integer(1)
    int getCount();

    void setCount(int value);

    @Description("Exit with this code instead of committing (0 commits), to test failures.")
    @Default.Integer(0)
    int getFailWith();

    void setFailWith(int value);

    @Description(
        "A FIFO: write 'waiting' to it, wait until the task's thread is interrupted, write"
            + " 'interrupted' and fail; to test that a task is interrupted.")
    @Default.String("")
    String getUntilInterrupted();

    void setUntilInterrupted(String value);
  }

  @Override
  public String name() {
    return "touch";
  }

  @Override
  public String description() {
    return "test pipeline: writes data.txt and commits";
  }

  @Override
  public Class<TouchOptions> optionsClass() {
    return TouchOptions.class;
  }

  @Override
  public void run(String[] args) {
    TouchOptions options =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(TouchOptions.class);
    if (options.getFailWith() == 2) {
      throw new InvalidInputException("--failWith=2 asks for invalid input");
    }
    if (options.getFailWith() != 0) {
      System.exit(options.getFailWith());
    }
    if (!options.getUntilInterrupted().isEmpty()) {
      waitForInterrupt(Path.of(options.getUntilInterrupted()));
    }
    TaskOutput output = TaskOutput.begin(options.getOutput());
    String upstream = "";
    if (!options.getInput().isEmpty()) {
      TaskOutput.read(options.getInput());
      upstream = read(Path.of(options.getInput(), "data.txt"));
    }
    String text =
        "ds="
            + options.getLogicalDate()
            + " interval="
            + options.getDataIntervalStart()
            + ".."
            + options.getDataIntervalEnd()
            + " params="
            + options.getParams()
            + " count="
            + options.getCount()
            + "\n"
            + upstream;
    write(Path.of(output.staging("data.txt")), text);
    output.commit(
        Manifest.newBuilder().setDagId(options.getDagId()).setTaskId(options.getTaskId()).build());
  }

  private static void waitForInterrupt(Path fifo) {
    try (var out = Files.newBufferedWriter(fifo, StandardCharsets.UTF_8)) {
      out.write("waiting\n");
      out.flush();
      try {
        new java.util.concurrent.CountDownLatch(1).await();
      } catch (InterruptedException e) {
        out.write("interrupted\n");
      }
    } catch (IOException e) {
      throw new io.mlproof.pipelines.core.RunFailedException("cannot write " + fifo, e);
    }
    throw new io.mlproof.pipelines.core.RunFailedException("interrupted");
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidInputException("cannot read " + file + ": " + e.getMessage());
    }
  }

  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new io.mlproof.pipelines.core.RunFailedException(
          "cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
