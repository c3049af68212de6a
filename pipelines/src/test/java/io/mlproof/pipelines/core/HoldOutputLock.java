package io.mlproof.pipelines.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A second process for {@link TaskOutputTest}: begins an output (taking its lock), stages a file,
 * says {@code locked} on stdout and then waits for stdin to close, or to be killed mid-attempt.
 */
public final class HoldOutputLock {

  private HoldOutputLock() {}

  public static void main(String[] args) throws IOException {
    TaskOutput output = TaskOutput.begin(args[0], new TaskOutput.Owner("touch", "dag", "task"));
    Files.writeString(Path.of(output.staging("half-written.txt")), "killed before commit\n");
    System.out.println("locked");
    System.out.flush();
    System.in.read(); // returns when the test closes stdin; a kill ends the process here
    output.abort();
  }
}
