package io.mlproof.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SIGINT helper the interruption ITs rely on, on plain processes (no mlproof, no cluster). */
class MlproofCliTest {
  @TempDir Path dir;

  @Test
  void interruptRefusesAProcessThatIgnoresSigint() throws Exception {
    MlproofCli.Started ignoring = started("trap '' INT; echo ready; exec sleep 60");
    try {
      assertThatThrownBy(ignoring::interrupt)
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("SIGINT is ignored in mlproof's process");
      assertThat(ignoring.process().isAlive()).isTrue();
    } finally {
      ignoring.process().destroyForcibly().waitFor();
    }
  }

  @Test
  void interruptDeliversSigint() throws Exception {
    MlproofCli.Started plain = started("echo ready; exec sleep 60");
    plain.interrupt();
    assertThat(plain.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    // A process ended by signal n exits 128 + n in Java's view: 130 for SIGINT.
    assertThat(plain.process().exitValue()).isEqualTo(130);
  }

  /** A shell script started with its stdout piped, returned once it has printed "ready". */
  private MlproofCli.Started started(String script) throws Exception {
    Process process = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).isEqualTo("ready");
    return new MlproofCli.Started(
        process,
        Files.createTempFile(dir, "out", ".txt"),
        Files.createTempFile(dir, "err", ".txt"));
  }
}
