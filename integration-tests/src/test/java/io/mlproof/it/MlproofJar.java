package io.mlproof.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the shaded jar the way bin/mlproof does, each call in a JVM of its own. */
final class MlproofJar {

  private MlproofJar() {}

  record Result(int exitCode, String stdout, String stderr) {}

  static Path repo() {
    return Path.of(System.getProperty("mlproof.repo", "..")).toAbsolutePath().normalize();
  }

  /** Runs {@code mlproof args} in {@code dir} (its working directory and where its output is kept). */
  static Result run(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "-jar", System.getProperty("mlproof.jar", repo().resolve("target/mlproof.jar").toString())));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    Process process = builder.start();
    if (!process.waitFor(20, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("mlproof " + String.join(" ", args) + " did not finish in 20 minutes");
    }
    return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
