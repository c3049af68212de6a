package io.mlproof.orchestrator.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlproof.pipelines.core.ExitCodes;
import io.mlproof.pipelines.core.StageProgress;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;

/**
 * The warm task client's side of {@link TaskClient}: one long-lived JVM that runs a DAG run's
 * pipeline tasks as threads, each exactly as {@code <main> run <pipeline> ...} would in a JVM of
 * its own, so a task no longer pays a JVM start, class loading and Beam's options set-up before its
 * job reaches the cluster.
 *
 * <p>Requests come as JSON lines on standard input, {@code {"op":"run","id":1,"args":[...],
 * "log":"...","progress":"..."}} and {@code {"op":"cancel","id":1}}; each finished task answers
 * {@code {"id":1,"exit":0}} on standard output, which carries nothing else. A task's standard
 * output and error (the CLI's lines, Beam's and Flink's logging) go to its own log file, also from
 * the threads it starts. When standard input ends (the scheduler is gone) the JVM halts.
 *
 * <p>A Flink cluster started by {@code mlproof flink start} has one too, which outlives runs
 * ({@link #listen}): each run that submits to the cluster talks to it over a loopback connection in
 * the same protocol, so even a run's first task finds a JVM that has loaded and compiled what tasks
 * need.
 */
public final class TaskClientServer {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ToIntFunction<String[]> main;
  private final ThreadRoutedStream routed;

  private TaskClientServer(ToIntFunction<String[]> main, ThreadRoutedStream routed) {
    this.main = main;
    this.routed = routed;
  }

  /**
   * Serves one DAG run's requests on standard input until it ends, then halts the JVM.
   *
   * @param main runs one task's arguments ({@code run <pipeline> ...}) and returns its exit code
   * @param warmUp runs once at start, beside the first requests: loads what every task needs
   */
  public static void serve(ToIntFunction<String[]> main, Runnable warmUp) {
    PrintStream protocol =
        new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    TaskClientServer server = started(main, warmUp);
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      server.new Session(protocol).loop(in);
    } catch (IOException e) {
      System.err.println("mlproof task client: cannot read requests: " + e.getMessage());
    }
    protocol.flush();
    Runtime.getRuntime().halt(0);
  }

  /**
   * A Flink cluster's task client ({@code mlproof flink start}): serves every DAG run that connects
   * to it on a loopback port, each connection a session of its own, until the JVM is stopped. The
   * port and a secret every connection must present first are written to {@code addressFile}
   * (readable by this user only): any local user can reach a loopback port, and a session runs
   * pipelines as this user. When a connection ends (its run ended or died), the session's running
   * tasks are interrupted; one still running {@link TaskClient#ABANDON_WAIT} later halts the JVM,
   * so that no abandoned try can write once its retry starts, as a run's own client is killed.
   */
  public static void listen(ToIntFunction<String[]> main, Runnable warmUp, Path addressFile)
      throws IOException {
    TaskClientServer server = started(main, warmUp);
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      TaskClientAddress address = TaskClientAddress.create(socket.getLocalPort());
      address.write(addressFile);
      System.err.println("mlproof task client: listening on " + socket.getLocalSocketAddress());
      for (long n = 1; ; n++) {
        Socket connection = socket.accept();
        Thread session =
            new Thread(() -> server.session(connection, address), "task-client-session-" + n);
        session.setDaemon(true);
        session.start();
      }
    }
  }

  /** Routes the JVM's output by task and starts the warm-up. */
  private static TaskClientServer started(ToIntFunction<String[]> main, Runnable warmUp) {
    // Lines of no task (a shared thread's) go to the client's own log: its standard error.
    ThreadRoutedStream routed = new ThreadRoutedStream(new FileOutputStream(FileDescriptor.err));
    System.setOut(new PrintStream(routed, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(routed, true, StandardCharsets.UTF_8));
    Thread warm = new Thread(warmUp, "task-client-warm-up");
    warm.setDaemon(true);
    warm.start();
    return new TaskClientServer(main, routed);
  }

  /** One connection: its first line must carry the secret; then its requests, as on stdin. */
  private void session(Socket connection, TaskClientAddress address) {
    try (connection;
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8))) {
      if (!address.admits(in.readLine())) {
        System.err.println(
            "mlproof task client: refused a connection from "
                + connection.getRemoteSocketAddress()
                + " that did not present the secret of its address file");
        return;
      }
      Session session =
          new Session(new PrintStream(connection.getOutputStream(), true, StandardCharsets.UTF_8));
      try {
        session.loop(in);
      } finally {
        session.abandon();
      }
    } catch (IOException e) {
      System.err.println("mlproof task client: a session ended: " + e.getMessage());
    }
  }

  /** One DAG run's requests and the tasks they started. */
  private final class Session {
    private final PrintStream protocol;
    private final Map<Long, Thread> running = new ConcurrentHashMap<>();

    Session(PrintStream protocol) {
      this.protocol = protocol;
    }

    void loop(BufferedReader reader) throws IOException {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode request;
        try {
          request = JSON.readTree(line);
        } catch (IOException e) {
          System.err.println("mlproof task client: ignored a request that is not JSON: " + line);
          continue;
        }
        long id = request.path("id").asLong(-1);
        switch (request.path("op").asText()) {
          case "run" -> start(id, request);
          case "cancel" -> {
            Thread task = running.get(id);
            if (task != null) {
              task.interrupt();
            }
          }
          default -> System.err.println("mlproof task client: ignored unknown request: " + line);
        }
      }
    }

    /**
     * The session's run is gone: its tasks are interrupted (a task on a cluster then cancels its
     * job); if one has not ended {@link TaskClient#ABANDON_WAIT} later, the JVM halts.
     */
    void abandon() {
      running.values().forEach(Thread::interrupt);
      long deadline = System.nanoTime() + TaskClient.ABANDON_WAIT.toNanos();
      for (Thread task : running.values()) {
        try {
          task.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        if (task.isAlive()) {
          System.err.println(
              "mlproof task client: "
                  + task.getName()
                  + " still runs "
                  + TaskClient.ABANDON_WAIT.toSeconds()
                  + " s after its DAG run disconnected: halting, so that it cannot write once a"
                  + " retry starts");
          Runtime.getRuntime().halt(ExitCodes.RUN_FAILED);
        }
      }
    }

    private void start(long id, JsonNode request) {
      List<String> args = new ArrayList<>();
      request.path("args").forEach(a -> args.add(a.asText()));
      Path log = Path.of(request.path("log").asText());
      Path progress = Path.of(request.path("progress").asText());
      Thread task =
          new Thread(
              () -> answer(id, runTask(args, log, progress)),
              "task-" + id + "-" + (args.size() > 1 ? args.get(1) : "?"));
      running.put(id, task);
      task.start();
    }

    private void answer(long id, int exit) {
      running.remove(id);
      String line = JSON.createObjectNode().put("id", id).put("exit", exit).toString();
      synchronized (protocol) {
        protocol.println(line);
      }
    }
  }

  private int runTask(List<String> args, Path log, Path progress) {
    OutputStream file;
    try {
      file = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println("mlproof task client: cannot open the task's log " + log + ": " + e);
      return ExitCodes.RUN_FAILED;
    }
    try (ThreadRoutedStream.Route route = routed.routeThisThread(file);
        StageProgress.Scope scope = StageProgress.forThread(progress)) {
      try {
        return main.applyAsInt(args.toArray(String[]::new));
      } catch (RuntimeException | Error e) {
        // The CLI maps its errors to exit codes; what is left is a crash of this task alone.
        e.printStackTrace();
        return ExitCodes.RUN_FAILED;
      } finally {
        System.out.flush();
        System.err.flush();
      }
    }
  }

  /**
   * An output stream that writes to the calling thread's route (inherited by the threads it starts)
   * or, for threads of no task and once a task's route is closed, to a default stream. The {@link
   * PrintStream}s over it are autoflushing, so each line reaches it in the writing thread.
   */
  static final class ThreadRoutedStream extends OutputStream {
    private final OutputStream fallback;
    private final InheritableThreadLocal<Route> route = new InheritableThreadLocal<>();

    ThreadRoutedStream(OutputStream fallback) {
      this.fallback = fallback;
    }

    /** Where this thread's output goes until {@link Route#close()}, which closes {@code out}. */
    Route routeThisThread(OutputStream out) {
      Route r = new Route(out);
      route.set(r);
      return r;
    }

    private OutputStream target() {
      Route r = route.get();
      return r == null || r.closed ? fallback : r.out;
    }

    @Override
    public void write(int b) throws IOException {
      OutputStream out = target();
      synchronized (out) {
        out.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      OutputStream out = target();
      synchronized (out) {
        out.write(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      OutputStream out = target();
      synchronized (out) {
        out.flush();
      }
    }

    /** One task's output. */
    final class Route implements AutoCloseable {
      private final OutputStream out;
      private volatile boolean closed;

      private Route(OutputStream out) {
        this.out = out;
      }

      @Override
      public void close() {
        synchronized (out) {
          closed = true;
          route.remove();
          try {
            out.close();
          } catch (IOException e) {
            // the task's lines were written as they came; nothing is left to lose
          }
        }
      }
    }
  }
}
