package io.mlproof.orchestrator.state;

import java.io.IOException;
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
        .filter(ProcessHandle::isAlive)
        .filter(h -> h.info().startInstant().map(i -> i.toEpochMilli() == startMillis).orElse(true));
  }

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
