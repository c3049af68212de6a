package io.mlproof.orchestrator.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process as it can be recognised later: pid, start time (pids are reused) and host. Locks and
 * running task instances record one, so that a later process can tell a live owner from a dead one.
 */
public record ProcessIdentity(long pid, long startMillis, String hostname) {

  public static ProcessIdentity current() {
    return of(ProcessHandle.current());
  }

  public static ProcessIdentity of(ProcessHandle handle) {
    long start = handle.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
    return new ProcessIdentity(handle.pid(), start, HOSTNAME);
  }

  private static final String HOSTNAME = localHostname();

  private static String localHostname() {
    // The kernel's name first: InetAddress.getLocalHost() may wait on DNS.
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
    } catch (IOException | RuntimeException e) {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException u) {
        return Optional.ofNullable(System.getenv("HOSTNAME")).orElse("localhost");
      }
    }
  }

  /** The live process with this identity on this host, if there is one. */
  public Optional<ProcessHandle> liveHandle() {
    if (!hostname.equals(HOSTNAME)) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid)
        .filter(ProcessIdentity::isRunning)
        .filter(
            h -> h.info().startInstant().map(i -> i.toEpochMilli() == startMillis).orElse(true));
  }

  /**
   * Whether {@code process} still runs. A zombie does not: it has exited and only waits for its
   * parent to collect the exit status, yet {@link ProcessHandle#isAlive} says true for it. An
   * orphan killed in a container whose PID 1 reaps late (Docker without --init, Kubernetes pods)
   * stays a zombie for many seconds, so on Linux the kernel's state in /proc/PID/stat decides.
   */
  public static boolean isRunning(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    Path stat = PROC.resolve(Long.toString(process.pid())).resolve("stat");
    if (!Files.isDirectory(PROC)) {
      return true; // no procfs (not Linux): isAlive is all there is
    }
    try {
      // "pid (comm) state ...": comm may hold spaces and parentheses, so read after the last ')'.
      String line = Files.readString(stat);
      char state = line.charAt(line.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X'; // zombie, or dead and being removed
    } catch (IOException | UncheckedIOException e) {
      return false; // the /proc entry went away between the two checks: reaped
    }
  }

  private static final Path PROC = Path.of("/proc");

  /**
   * Whether this process may still be alive. Processes on another host cannot be checked, so they
   * count as alive: taking over their lock is left to a human.
   */
  public boolean mayBeAlive() {
    return !hostname.equals(HOSTNAME) || liveHandle().isPresent();
  }

  public boolean isLocalHost() {
    return hostname.equals(HOSTNAME);
  }
}
