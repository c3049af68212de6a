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
 *
 * <p>{@code start} is, on Linux, the kernel's start time of the process in clock ticks since boot
 * ({@code /proc/PID/stat}, field 22); elsewhere the JDK's start instant in epoch milliseconds. Not
 * the JDK's instant on Linux: it adds the boot time to the ticks, and the boot time moves whenever
 * the wall clock is stepped (a virtual machine restored from a snapshot, NTP correcting a large
 * drift), so a process recorded before the step no longer matched itself after it: a cluster's
 * processes read as dead while they ran, and {@code flink stop} left them running. Records written
 * before this change hold the epoch-millisecond instant; they still match their process.
 */
public record ProcessIdentity(long pid, long start, String hostname) {

  public static ProcessIdentity current() {
    return of(ProcessHandle.current());
  }

  public static ProcessIdentity of(ProcessHandle handle) {
    long start = kernelStart(handle.pid()).orElseGet(() -> startInstant(handle).orElse(0L));
    return new ProcessIdentity(handle.pid(), start, HOSTNAME);
  }

  private static Optional<Long> startInstant(ProcessHandle handle) {
    return handle.info().startInstant().map(i -> i.toEpochMilli());
  }

  /** Field 22 of {@code /proc/PID/stat}; empty without procfs or once the process is gone. */
  static Optional<Long> kernelStart(long pid) {
    try {
      return statFields(pid).map(fields -> Long.parseLong(fields[START_TIME_FIELD - 3]));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static final int START_TIME_FIELD = 22;

  /**
   * The fields of {@code /proc/PID/stat} from field 3 (the state) on; empty when the entry is gone
   * (the process was reaped) or there is no procfs. The line is "pid (comm) state ppid ...", and
   * comm may hold spaces and parentheses, so the fields are read after the last ')'.
   */
  private static Optional<String[]> statFields(long pid) {
    try {
      String line = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
      return Optional.of(line.substring(line.lastIndexOf(')') + 2).split(" "));
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
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
    return ProcessHandle.of(pid).filter(ProcessIdentity::isRunning).filter(this::startedAsRecorded);
  }

  private boolean startedAsRecorded(ProcessHandle handle) {
    Optional<Long> kernel = kernelStart(handle.pid());
    Optional<Long> instant = startInstant(handle);
    if (kernel.isEmpty() && instant.isEmpty()) {
      return true; // nothing to compare: the pid is all there is
    }
    // The epoch-millisecond instant is what records written before the kernel's ticks hold.
    return kernel.map(t -> t == start).orElse(false) || instant.map(t -> t == start).orElse(false);
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
    if (!Files.isDirectory(PROC)) {
      return true; // no procfs (not Linux): isAlive is all there is
    }
    return statFields(process.pid())
        .map(fields -> fields[0].charAt(0))
        .map(state -> state != 'Z' && state != 'X') // zombie, or dead and being removed
        .orElse(false); // the /proc entry went away between the two checks: reaped
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
