package io.mlproof.orchestrator.testing;

import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.TaskOptions;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.Manifest;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.Validation;

/**
 * Test-only pipeline that stops half-way: it begins its output and stages a file, appends {@code
 * started <pid>} to {@code --signal}, then blocks reading a line from the FIFO {@code --gate};
 * {@code go} commits, anything else fails. Crash tests kill the scheduler while it blocks.
 */
public final class GatePipeline implements MlproofPipeline {

  /** Options of the gate pipeline. */
  public interface GateOptions extends TaskOptions {
    @Description("FIFO to read the go/fail line from.")
    @Validation.Required
    String getGate();

    void setGate(String value);

    @Description("File to append 'started <pid>' to once the output is half-written.")
    @Validation.Required
    String getSignal();

    void setSignal(String value);
  }

  @Override
  public String name() {
    return "gate";
  }

  @Override
  public String description() {
    return "test pipeline: half-writes its output, then waits on a FIFO";
  }

  @Override
  public Class<GateOptions> optionsClass() {
    return GateOptions.class;
  }

  @Override
  public void run(String[] args) {
    GateOptions options =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(GateOptions.class);
    TaskOutput output = TaskOutput.begin(options.getOutput());
    TouchPipeline.write(Path.of(output.staging("part-0.txt")), "half\n");
    try {
      Files.writeString(
          Path.of(options.getSignal()),
          "started " + ProcessHandle.current().pid() + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      String line;
      try (BufferedReader gate = Files.newBufferedReader(Path.of(options.getGate()))) {
        line = gate.readLine();
      }
      if (!"go".equals(line)) {
        throw new RunFailedException("gate said " + line);
      }
    } catch (IOException e) {
      throw new RunFailedException("gate: " + e.getMessage(), e);
    }
    output.commit(
        Manifest.newBuilder().setDagId(options.getDagId()).setTaskId(options.getTaskId()).build());
  }
}
