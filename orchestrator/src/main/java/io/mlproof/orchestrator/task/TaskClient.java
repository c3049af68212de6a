package io.mlproof.orchestrator.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlproof.orchestrator.process.Processes;
import io.mlproof.pipelines.core.ExitCodes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A DAG run's warm task client: one JVM, started with the run, that runs the run's pipeline tasks
 * as threads ({@link TaskClientServer}) instead of one forked JVM each. It is for tasks submitted
 * to a Flink cluster, whose client only plans, submits and waits: there a fork spent 3.5-5 s before
 * its job reached the cluster (JVM start, class loading, Beam's options set-up), a warm thread 0.6
 * s in all for the same bless task (docs/bench/dag.md).
 *
 * <p>A task keeps what a fork gives it: its own log file and progress file, exit codes 0/1/2, a
 * deadline and interruption. What it gives up is crash isolation from the run's other tasks: when
 * the client JVM dies, every task in it fails (and is retried as its policy says), and a task that
 * does not end within {@link #ABANDON_WAIT} of being cancelled has the client killed, so that no
 * try can still write once its retry starts.
 *
 * <p>A run on a cluster started by {@code mlproof flink start} connects to that cluster's task
 * client instead ({@link #connect}): one that outlives runs, so that a run's first task no longer
 * waits for a new JVM to load and compile what planning a pipeline takes (9-15 s before the
 * extract's job on a warm cluster, against 1-2 s; docs/bench/dag.md).
 */
public final class TaskClient implements AutoCloseable {

  /** The CLI's subcommand that runs {@link TaskClientServer}. */
  public static final String COMMAND = "task-client";

  /** How long a cancelled task may take to end before the whole client is killed. */
  static final Duration ABANDON_WAIT = Duration.ofSeconds(30);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ProcessHandle process;

  /** The run's own client JVM; empty for a cluster's, which the run only connects to. */
  private final Optional<Process> forked;

  private final Path log;
  private final OutputStream requests;
  private final InputStream answers;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, CompletableFuture<Integer>> pending = new ConcurrentHashMap<>();
  private volatile boolean ended;

  private TaskClient(Process process, Path log) {
    this.process = process.toHandle();
    this.forked = Optional.of(process);
    this.log = log;
    this.requests = process.getOutputStream();
    this.answers = process.getInputStream();
  }

  private TaskClient(ProcessHandle process, Socket connection, Path log) throws IOException {
    this.process = process;
    this.forked = Optional.empty();
    this.log = log;
    this.requests = connection.getOutputStream();
    this.answers = connection.getInputStream();
  }

  /**
   * Starts the client JVM: {@code java <jvmOptions> -cp <classpath> <mainClass> task-client}, its
   * own output (what no task wrote) to {@code log}. It warms up while the caller goes on.
   */
  public static TaskClient start(PipelineLauncher launcher, List<String> jvmOptions, Path log) {
    List<String> command = launcher.command(jvmOptions, List.of(COMMAND));
    Process process;
    try {
      Processes.appendLine(log, "$ " + String.join(" ", command));
      process =
          new ProcessBuilder(command)
              .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start the task client " + command.get(0) + ": " + e.getMessage(), e);
    }
    return new TaskClient(process, log).reading();
  }

  /**
   * Connects to a Flink cluster's task client ({@link TaskClientServer#listen}), the JVM {@code
   * process}, listening at {@code address}; {@code log} is its own log, named in errors.
   */
  public static TaskClient connect(ProcessHandle process, TaskClientAddress address, Path log)
      throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), address.port());
    try {
      socket.setTcpNoDelay(true);
      TaskClient client = new TaskClient(process, socket, log);
      client.send(address.hello());
      return client.reading();
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  private TaskClient reading() {
    Thread reader = new Thread(this::readAnswers, "task-client-answers");
    reader.setDaemon(true);
    reader.start();
    return this;
  }

  /** The client's process. */
  public ProcessHandle process() {
    return process;
  }

  /**
   * Whether it is a Flink cluster's task client, which outlives the run: the run closes its
   * connection at its end and on shutdown (the client interrupts what the run left running), and
   * records it against each task only so that a later run stops it if this scheduler dies.
   */
  public boolean shared() {
    return forked.isEmpty();
  }

  /** Whether it can take tasks: it has not ended, been killed or closed. */
  public boolean alive() {
    return !ended && process.isAlive();
  }

  /**
   * Runs one task ({@code args} as for {@code <main> run <pipeline> ...}) in the client and waits
   * for its exit code, like {@link ProcessSupervisor#run} for a fork. At the deadline, or when the
   * waiting thread is interrupted, the task's thread is interrupted and {@code onAbandon} runs (it
   * cancels the task's Flink job, which is what the thread waits for); if the task has not ended
   * {@link #ABANDON_WAIT} later, the client is killed.
   */
  public ProcessSupervisor.Exit run(
      List<String> args,
      Path taskLog,
      Path progress,
      Optional<Instant> deadline,
      ProcessWatcher watcher,
      Runnable onAbandon)
      throws InterruptedException {
    long id = ids.incrementAndGet();
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    pending.put(id, exit);
    try {
      Processes.appendLine(
          taskLog, "$ [task client pid " + process.pid() + "] " + String.join(" ", args));
      ObjectNode request =
          JSON.createObjectNode()
              .put("op", "run")
              .put("id", id)
              .put("log", taskLog.toAbsolutePath().toString())
              .put("progress", progress.toAbsolutePath().toString());
      args.forEach(request.putArray("args")::add);
      send(request.toString());
      if (ended) {
        // It died before the request reached it; its reader may have failed the others already.
        exit.completeExceptionally(
            new IOException(
                "the task client (pid " + process.pid() + ") has ended; its log: " + log));
      }
    } catch (IOException e) {
      pending.remove(id);
      return failed(taskLog, "cannot send the task to the task client: " + e.getMessage());
    }
    // Recorded against the task, so a later run stops it if this scheduler dies; never "ended"
    // here, as other tasks may still run in it (the run removes it when it closes the client).
    if (shared()) {
      watcher.runsInShared(process());
    } else {
      watcher.started(process());
    }
    try {
      Integer code =
          deadline.isEmpty()
              ? exit.get()
              : exit.get(
                  Math.max(0, Duration.between(Instant.now(), deadline.get()).toMillis()),
                  TimeUnit.MILLISECONDS);
      return new ProcessSupervisor.Exit(code, false);
    } catch (TimeoutException e) {
      abandon(id, exit, onAbandon);
      return new ProcessSupervisor.Exit(ExitCodes.RUN_FAILED, true);
    } catch (InterruptedException e) {
      abandon(id, exit, onAbandon);
      throw e;
    } catch (ExecutionException e) {
      return failed(taskLog, e.getCause().getMessage());
    } finally {
      pending.remove(id);
    }
  }

  /** Cancels a task that is no longer waited for, and makes sure it has ended. */
  private void abandon(long id, CompletableFuture<Integer> exit, Runnable onAbandon) {
    try {
      send(JSON.createObjectNode().put("op", "cancel").put("id", id).toString());
    } catch (IOException e) {
      // the client is gone, and the task with it
    }
    onAbandon.run();
    try {
      exit.get(ABANDON_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      kill();
    } catch (InterruptedException e) {
      kill();
      Thread.currentThread().interrupt();
    }
  }

  private static ProcessSupervisor.Exit failed(Path taskLog, String message) {
    Processes.appendMessage(taskLog, message);
    return new ProcessSupervisor.Exit(ExitCodes.RUN_FAILED, false);
  }

  private void send(String request) throws IOException {
    byte[] line = (request + "\n").getBytes(StandardCharsets.UTF_8);
    synchronized (requests) {
      requests.write(line);
      requests.flush();
    }
  }

  /** Completes each task's exit code as it comes; when the client ends, fails the rest. */
  private void readAnswers() {
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(answers, StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        Optional<JsonNode> answer = answer(line);
        if (answer.isEmpty()) {
          // The JVM itself can write there (-verbose:gc, -Xlog, JFR, a native library): not an
          // answer, and no reason to stop reading the ones that follow (it hung the run once).
          Processes.appendLine(log, "(on the task client's standard output) " + line);
          continue;
        }
        CompletableFuture<Integer> exit = pending.get(answer.get().path("id").asLong());
        if (exit != null) {
          exit.complete(answer.get().path("exit").asInt(ExitCodes.RUN_FAILED));
        }
      }
    } catch (IOException e) {
      // ended below
    }
    ended = true;
    String message = endedWhy();
    pending.values().forEach(f -> f.completeExceptionally(new IOException(message)));
  }

  private String endedWhy() {
    if (shared()) {
      return "the cluster's task client (pid "
          + process.pid()
          + ") closed the connection while the task ran; its log: "
          + log;
    }
    String why = "the task client (pid " + process.pid() + ") ended while the task ran";
    try {
      return why + ", exit code " + forked.get().waitFor() + "; its log: " + log;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return why;
    }
  }

  /** {@code {"id":N,"exit":N}}, or empty for any other line. */
  private static Optional<JsonNode> answer(String line) {
    try {
      JsonNode node = JSON.readTree(line);
      return node != null && node.path("id").isIntegralNumber() && node.path("exit").isInt()
          ? Optional.of(node)
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Kills the client, so that a task that would not end cannot write once its retry starts; a
   * cluster's client too (the cluster's other runs lose their running tasks, retried as their
   * policies say; later runs start clients of their own until the cluster is restarted).
   */
  private void kill() {
    ended = true;
    if (shared()) {
      Processes.appendMessage(
          log,
          "killed by a DAG run: a task did not end "
              + ABANDON_WAIT.toSeconds()
              + " s after its cancel");
    }
    Processes.killTree(process);
  }

  /**
   * Ends the run's use of the client. Its own client: closes its input (it halts), and kills it if
   * it is still there 5 s later. A cluster's: closes the connection; the client goes on.
   */
  @Override
  public void close() {
    ended = true;
    try {
      // A forked client's standard input, or the connection (a socket's stream closes the socket).
      requests.close();
    } catch (IOException e) {
      // it is being stopped, or its session ended, either way
    }
    if (shared()) {
      return;
    }
    try {
      if (!forked.get().waitFor(5, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      kill();
      Thread.currentThread().interrupt();
    }
  }
}
