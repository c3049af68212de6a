package io.mlproof.orchestrator.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recorded process is recognised by the kernel's start time, in ticks since boot, which a step of
 * the wall clock does not move (the JDK's start instant does: it adds the boot time, which the
 * kernel shifts with every step). The step itself cannot be made in a test; what is checked is that
 * the record holds the kernel's figure, and that older records, holding the JDK's instant, still
 * match.
 */
class ProcessIdentityTest {

  @TempDir Path tmp;

  private Process sleeper;
  private ProcessHandle handle;

  /** A sleep whose name has spaces and parentheses, as /proc/PID/stat's comm field may. */
  @BeforeEach
  void startSleeper() throws Exception {
    Path sleep = tmp.resolve("a) 1 2 (b");
    Files.copy(Path.of("/bin/sleep"), sleep);
    sleep.toFile().setExecutable(true);
    sleeper = new ProcessBuilder("bash", "-c", "echo $$; exec '" + sleep + "' 600").start();
    long pid =
        Long.parseLong(
            new BufferedReader(
                    new InputStreamReader(sleeper.getInputStream(), StandardCharsets.UTF_8))
                .readLine());
    handle = ProcessHandle.of(pid).orElseThrow();
  }

  @AfterEach
  void stopSleeper() throws Exception {
    sleeper.destroyForcibly().waitFor();
  }

  @Test
  void recordsTheKernelsStartTicks() throws Exception {
    ProcessIdentity identity = ProcessIdentity.of(handle);
    assertThat(identity.pid()).isEqualTo(handle.pid());
    assertThat(identity.start()).isEqualTo(startTicksFromProc(handle.pid()));
    assertThat(identity.start())
        .isNotEqualTo(handle.info().startInstant().orElseThrow().toEpochMilli());
    assertThat(identity.liveHandle()).map(ProcessHandle::pid).contains(handle.pid());
    assertThat(ProcessIdentity.current().start())
        .isEqualTo(startTicksFromProc(ProcessHandle.current().pid()));
  }

  @Test
  void aRecordHoldingTheJdksStartInstantStillMatches() {
    ProcessIdentity older =
        new ProcessIdentity(
            handle.pid(),
            handle.info().startInstant().orElseThrow().toEpochMilli(),
            ProcessIdentity.current().hostname());
    assertThat(older.liveHandle()).map(ProcessHandle::pid).contains(handle.pid());
  }

  @Test
  void aRecordOfAnotherStartIsAnotherProcess() {
    ProcessIdentity identity = ProcessIdentity.of(handle);
    ProcessIdentity reused =
        new ProcessIdentity(identity.pid(), identity.start() + 1, identity.hostname());
    assertThat(reused.liveHandle()).isEmpty();
    assertThat(reused.mayBeAlive()).isFalse();
  }

  @Test
  void aRecordFromAnotherHostMayBeAlive() {
    ProcessIdentity identity = ProcessIdentity.of(handle);
    ProcessIdentity remote =
        new ProcessIdentity(identity.pid(), identity.start(), identity.hostname() + "-other");
    assertThat(remote.liveHandle()).isEmpty();
    assertThat(remote.mayBeAlive()).isTrue();
  }

  /** Field 22 of proc(5)'s stat line, read with a pattern rather than by counting from ')'. */
  private static long startTicksFromProc(long pid) throws Exception {
    String line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // pid, (comm) up to the last ')', then fields 3..21, then starttime.
    Matcher m = Pattern.compile("^\\d+ \\(.*\\) (?:\\S+ ){19}(\\d+) ").matcher(line);
    assertThat(m.find()).as(line).isTrue();
    return Long.parseLong(m.group(1));
  }
}
