package io.mlproof.orchestrator.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.orchestrator.state.ProcessIdentity;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Killing a process and waiting until it is gone, where "gone" includes a zombie: a killed process
 * whose parent does not collect it, as an orphan under a container's late-reaping PID 1.
 */
class ProcessesTest {

  @TempDir Path tmp;

  @Test
  void aKilledProcessThatNobodyReapsCountsAsGone() throws Exception {
    // bash starts sleep, prints its pid and becomes cat, which never calls wait(): the killed sleep
    // stays a zombie until cat exits, and cat runs until this test closes its stdin.
    Process parent = new ProcessBuilder("bash", "-c", "sleep 600 & echo $!; exec cat").start();
    try {
      long pid =
          Long.parseLong(
              new BufferedReader(
                      new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))
                  .readLine());
      ProcessHandle child = ProcessHandle.of(pid).orElseThrow();
      ProcessIdentity identity = ProcessIdentity.of(child);
      assertThat(identity.liveHandle()).map(ProcessHandle::pid).contains(pid);
      assertThat(identity.mayBeAlive()).isTrue();

      Processes.killTree(child);

      // The late reaper, reproduced: the kernel keeps the killed child as a zombie, and the JDK
      // calls a zombie alive.
      assertThat(kernelState(pid)).isEqualTo('Z');
      assertThat(child.isAlive()).isTrue();
      // The product does not.
      assertThat(ProcessIdentity.isRunning(child)).isFalse();
      assertThat(identity.liveHandle()).isEmpty();
      assertThat(identity.mayBeAlive()).isFalse();
    } finally {
      parent.getOutputStream().close();
      parent.waitFor();
    }
    assertThat(ProcessIdentity.isRunning(parent.toHandle())).isFalse();
  }

  @Test
  void aRunningProcessWhoseNameLooksLikeAZombieStateIsRunning() throws Exception {
    // /proc/PID/stat is "pid (comm) state ...": a name with ") Z (" must not be read as the state.
    Path sleep = tmp.resolve("a) Z (b");
    Files.copy(Path.of("/bin/sleep"), sleep);
    sleep.toFile().setExecutable(true);
    Process process = new ProcessBuilder(sleep.toString(), "600").start();
    try {
      assertThat(Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat")))
          .startsWith(process.pid() + " (a) Z (b) ");
      assertThat(ProcessIdentity.isRunning(process.toHandle())).isTrue();
    } finally {
      Processes.killTree(process.toHandle());
    }
    // Our own child: onExit reaps it, so it is gone altogether.
    assertThat(process.waitFor()).isEqualTo(137);
    assertThat(ProcessIdentity.isRunning(process.toHandle())).isFalse();
  }

  /** The state letter in /proc/PID/stat, read here independently of the product's parser. */
  private static char kernelState(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("State:")) {
        return line.substring("State:".length()).strip().charAt(0);
      }
    }
    throw new AssertionError("no State: line for pid " + pid);
  }
}
