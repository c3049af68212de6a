package io.mlproof.orchestrator.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlproof.orchestrator.process.Processes;
import io.mlproof.orchestrator.state.ProcessIdentity;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * A running Flink standalone session cluster: a JobManager JVM and TaskManager JVMs on loopback,
 * started from Maven's Flink jars (no flink-dist) as in shared/FLINK_CLUSTER.md. Beam's FlinkRunner
 * submits to {@link #master()} over REST.
 *
 * <p>Every process is recorded in {@code cluster.properties} (pid and start time) as soon as it
 * starts, so a cluster can be stopped from another process ({@link #stop(Path)}), and one left by a
 * killed scheduler can be found and stopped. Stopping is SIGTERM, up to 10 s (30 s while a process
 * dumps its class-data archive at exit, {@link FlinkStartCache}), then SIGKILL, and removes the
 * io.tmp.dirs folder: nothing is left running or in the system temp directory.
 */
public final class FlinkSessionCluster implements AutoCloseable {

  public static final String STATE_FILE = "cluster.properties";

  /** The empty jar jobs stage when their classes are on the cluster's class path. */
  public static final String PLACEHOLDER_JAR = "nothing-to-stage.jar";

  /** The name its task client is recorded under ({@code task.ClusterTaskClient}). */
  public static final String TASK_CLIENT = "task-client";

  static final String JOB_MANAGER_MAIN =
      "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
  static final String RESOURCE_PARAMS_MAIN = "org.apache.flink.runtime.util.bash.BashJavaUtils";
  private static final String RESOURCE_PARAMS_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
  private static final Duration GRACE = Duration.ofSeconds(10);
  private static final Duration DUMP_GRACE = Duration.ofSeconds(30);
  private static final String START_CACHE = "start-cache";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LOOPBACK = "127.0.0.1";

  /**
   * Flink 1.19's {@code env.java.opts.all} for Java 17: module openings its serializers and Kryo
   * fallbacks need (flink-dist sets them in its config file).
   */
  static final List<String> JAVA_17_OPTIONS =
      List.of(
          "-XX:+IgnoreUnrecognizedVMOptions",
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private final FlinkClusterSpec spec;
  private final int restPort;
  private final ProcessHandle jobManager;
  private final List<ProcessHandle> taskManagers;
  private boolean closed;

  private FlinkSessionCluster(
      FlinkClusterSpec spec,
      int restPort,
      ProcessHandle jobManager,
      List<ProcessHandle> taskManagers) {
    this.spec = spec;
    this.restPort = restPort;
    this.jobManager = jobManager;
    this.taskManagers = List.copyOf(taskManagers);
  }

  /**
   * Starts the cluster and returns once every TaskManager has registered with the JobManager. On
   * any failure the processes started so far are stopped before the exception leaves.
   *
   * @throws RunFailedException when a process dies or the TaskManagers do not register in time
   */
  public static FlinkSessionCluster start(FlinkClusterSpec spec) {
    spec.checkLib();
    Path dir = spec.dir().toAbsolutePath();
    Path conf = dir.resolve("conf");
    Path logs = dir.resolve("log");
    Path tmp = dir.resolve("tmp");
    List<ProcessHandle> started = new ArrayList<>();
    try {
      // A cluster this folder still records (its starter was killed) would hold the same files.
      stop(dir);
      Files.createDirectories(conf);
      Files.createDirectories(logs);
      Files.createDirectories(tmp);
      int restPort = freePort();
      int rpcPort = freePort();
      Files.writeString(conf.resolve("config.yaml"), config(spec, tmp), StandardCharsets.UTF_8);
      Files.writeString(conf.resolve("log4j.properties"), LOG4J, StandardCharsets.UTF_8);
      if (spec.jobJar().isPresent()) {
        writePlaceholderJar(dir.resolve(PLACEHOLDER_JAR), spec.jobJar().get());
      }
      Launch launch =
          new Launch(
              spec.lib().toAbsolutePath(),
              spec.jobJar().map(Path::toAbsolutePath),
              conf,
              logs,
              tmp,
              List.of("-D", "rest.port=" + restPort, "-D", "jobmanager.rpc.port=" + rpcPort));
      Optional<FlinkStartCache> cache =
          spec.startCache()
              .flatMap(
                  c ->
                      FlinkStartCache.open(
                          c, FlinkStartCache.classpathFiles(launch.lib(), launch.jobJar())));
      // The sizing depends on the config, not on the folder its temporary files go to.
      String sizingConfig = config(spec, Path.of("tmp"));
      Map<Role, List<String>> resources = launch.size(cache, sizingConfig);

      Properties state = new Properties();
      state.setProperty("rest.port", Integer.toString(restPort));
      state.setProperty("rpc.port", Integer.toString(rpcPort));
      cache.ifPresent(c -> state.setProperty(START_CACHE, c.dir().toString()));
      if (launch.jobJar().isPresent()) {
        JobJar.of(launch.jobJar().get()).record(state);
      }
      ProcessHandle jm =
          launch.start(
              "jobmanager",
              resources.get(Role.JOB_MANAGER),
              classData(spec, cache, Role.JOB_MANAGER, "jobmanager", true, dir, logs),
              JOB_MANAGER_MAIN,
              List.of());
      started.add(jm);
      record(state, "jobmanager", jm, dir);
      List<ProcessHandle> tms = new ArrayList<>();
      for (int i = 1; i <= spec.taskManagers(); i++) {
        ProcessHandle tm =
            launch.start(
                "taskmanager-" + i,
                resources.get(Role.TASK_MANAGER),
                Stream.concat(
                        spec.taskManagerJvmOptions().stream(),
                        classData(
                            spec, cache, Role.TASK_MANAGER, "taskmanager-" + i, i == 1, dir, logs)
                            .stream())
                    .toList(),
                TASK_MANAGER_MAIN,
                List.of("-D", "taskmanager.resource-id=tm-" + i));
        started.add(tm);
        tms.add(tm);
        record(state, "taskmanager." + i, tm, dir);
      }
      FlinkSessionCluster cluster = new FlinkSessionCluster(spec, restPort, jm, tms);
      cluster.awaitReady();
      return cluster;
    } catch (IOException e) {
      stopQuietly(started, dir);
      throw new RunFailedException(
          "cannot start a Flink cluster in " + dir + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      stopQuietly(started, dir);
      Thread.currentThread().interrupt();
      throw new RunFailedException("interrupted while starting a Flink cluster in " + dir, e);
    } catch (RuntimeException e) {
      stopQuietly(started, dir);
      throw e;
    }
  }

  /**
   * What jobs stage ({@code --filesToStage}) when the job jar is on the cluster's class path: an
   * empty jar, because Beam stages the client's whole class path when given no file at all. Empty
   * if the cluster has no job jar.
   */
  public Optional<Path> placeholderJar() {
    return spec.jobJar().map(jar -> spec.dir().toAbsolutePath().resolve(PLACEHOLDER_JAR));
  }

  /** {@code 127.0.0.1:<rest port>}: Beam's {@code --flinkMaster}. */
  public String master() {
    return LOOPBACK + ":" + restPort;
  }

  public URI restUrl() {
    return URI.create("http://" + master() + "/");
  }

  public FlinkClusterSpec spec() {
    return spec;
  }

  public ProcessHandle jobManager() {
    return jobManager;
  }

  /** The TaskManager processes, in start order ({@code tm-1}, {@code tm-2}, ...). */
  public List<ProcessHandle> taskManagers() {
    return taskManagers;
  }

  /** {@code GET path} on the JobManager's REST API as JSON. */
  public JsonNode get(String path) throws IOException, InterruptedException {
    return getJson(restUrl().resolve(path.startsWith("/") ? path.substring(1) : path));
  }

  /**
   * Stops every process (SIGTERM, up to 10 s or 30 s while dumping, SIGKILL) and removes the tmp
   * folder. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<ProcessHandle> all = new ArrayList<>(taskManagers);
    all.add(jobManager);
    stopQuietly(all, spec.dir().toAbsolutePath());
  }

  /**
   * Stops the cluster recorded in {@code dir} (by a process that may be gone): each recorded
   * process still alive with the recorded start time. Removes {@code tmp/} and the state file.
   *
   * @return how many processes were still running
   */
  public static int stop(Path dir) {
    List<ProcessHandle> live =
        recordedProcesses(dir).stream()
            .map(ProcessIdentity::liveHandle)
            .flatMap(Optional::stream)
            .toList();
    stopQuietly(live, dir);
    return live.size();
  }

  /**
   * What {@code mlproof flink status} prints: the recorded processes and the JobManager's overview.
   */
  public static Optional<Status> status(Path dir) {
    Path file = dir.resolve(STATE_FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties state = readState(dir);
    // The cluster's task client is reported on its own (ClusterTaskClient): a run can do without.
    List<ProcessIdentity> processes = recordedProcesses(dir, name -> !name.equals(TASK_CLIENT));
    long alive =
        processes.stream().map(ProcessIdentity::liveHandle).flatMap(Optional::stream).count();
    String master = LOOPBACK + ":" + state.getProperty("rest.port", "?");
    JsonNode overview;
    try {
      overview = getJson(URI.create("http://" + master + "/overview"));
    } catch (IOException e) {
      overview = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      overview = null;
    }
    return Optional.of(
        new Status(master, processes.size(), (int) alive, Optional.ofNullable(overview)));
  }

  /**
   * A recorded cluster: its master, processes recorded and alive, the JobManager's overview if it
   * answered.
   */
  public record Status(String master, int processes, int alive, Optional<JsonNode> overview) {}

  /**
   * What {@code mlproof flink status} says of the bundled jar on the cluster's class path, if it
   * was started with one: the jar as it was at the start, and whether it is still {@code
   * bundledJar}'s build (what {@link #attach} requires).
   */
  public static Optional<String> jobJarStatus(Path dir, Optional<Path> bundledJar) {
    Optional<JobJar> client = JobJar.built(bundledJar);
    return JobJar.recorded(readState(dir))
        .map(
            jar ->
                "job jar "
                    + jar
                    + client
                        .map(
                            c ->
                                jar.sameBuild(c)
                                    ? ": this build's"
                                    : ": not this build's "
                                        + c
                                        + ", restart the cluster to run DAGs on it with"
                                        + " --flink-cluster")
                        .orElse(""));
  }

  /**
   * A running cluster recorded in a folder, that a DAG run submits its tasks to ({@code dags run
   * --flink-cluster}).
   *
   * @param master its REST address, Beam's {@code --flinkMaster}
   * @param placeholderJar what jobs stage when mlproof's bundled jar is on the cluster's class
   *     path; empty when it is not, and jobs stage the bundled jar
   */
  public record Attached(String master, Optional<Path> placeholderJar) {}

  /**
   * The cluster {@code mlproof flink start} recorded in {@code dir}, checked for a run to submit to
   * it: it is running (every recorded process, and its JobManager answers), and a bundled jar on
   * its class path is {@code bundledJar} as it is now. A jar rebuilt since the cluster started
   * would otherwise go unnoticed: the cluster keeps running the classes it loaded, not the
   * client's.
   *
   * @param bundledJar this mlproof's bundled jar, if built ({@link FlinkSetup#clusterJar()})
   * @throws InvalidInputException naming the folder and the fix
   */
  public static Attached attach(Path dir, Optional<Path> bundledJar) {
    String restart =
        "mlproof flink stop --dir " + dir + ", then mlproof flink start --dir " + dir + " ...";
    Optional<Status> status = status(dir);
    if (status.isEmpty()) {
      throw new InvalidInputException(
          "--flink-cluster "
              + dir
              + ": no cluster is recorded there (no "
              + STATE_FILE
              + "): start one with mlproof flink start --dir "
              + dir
              + ", or give its master with --flink-master");
    }
    Optional<JobJar> onCluster = JobJar.recorded(readState(dir));
    Optional<JobJar> client = JobJar.built(bundledJar);
    if (onCluster.isPresent() && client.isPresent() && !onCluster.get().sameBuild(client.get())) {
      throw new InvalidInputException(
          "--flink-cluster "
              + dir
              + ": its class path has "
              + onCluster.get()
              + " as it was when the cluster started, not this mlproof's "
              + client.get()
              + ", so its jobs would run other code: restart it ("
              + restart
              + " --job-jar "
              + client.get().path()
              + ")");
    }
    Status s = status.get();
    if (s.alive() < s.processes() || s.overview().isEmpty()) {
      throw new InvalidInputException(
          "--flink-cluster "
              + dir
              + ": the cluster is not running ("
              + s.alive()
              + " of its "
              + s.processes()
              + " processes alive"
              + (s.overview().isEmpty() ? ", no answer from its JobManager at " + s.master() : "")
              + "): "
              + restart);
    }
    return new Attached(
        s.master(), onCluster.map(jar -> dir.toAbsolutePath().resolve(PLACEHOLDER_JAR)));
  }

  /**
   * The bundled jar a cluster was started with, as it was then: its path, size and modification
   * time, which change with every build.
   */
  record JobJar(Path path, long size, long modifiedMillis) {
    private static final String KEY = "job.jar";

    static JobJar of(Path jar) throws IOException {
      Path path = jar.toAbsolutePath().normalize();
      return new JobJar(path, Files.size(path), Files.getLastModifiedTime(path).toMillis());
    }

    static JobJar ofQuietly(Path jar) {
      try {
        return of(jar);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + jar + ": " + e.getMessage(), e);
      }
    }

    /** This mlproof's bundled jar as it is now, if it has been built. */
    static Optional<JobJar> built(Optional<Path> bundledJar) {
      return bundledJar.filter(Files::isRegularFile).map(JobJar::ofQuietly);
    }

    static Optional<JobJar> recorded(Properties state) {
      return Optional.ofNullable(state.getProperty(KEY))
          .map(
              path ->
                  new JobJar(
                      Path.of(path),
                      Long.parseLong(state.getProperty(KEY + ".size", "-1")),
                      Long.parseLong(state.getProperty(KEY + ".modified", "-1"))));
    }

    void record(Properties state) {
      state.setProperty(KEY, path.toString());
      state.setProperty(KEY + ".size", Long.toString(size));
      state.setProperty(KEY + ".modified", Long.toString(modifiedMillis));
    }

    /** The same bytes as far as a build can tell: a copy elsewhere counts, a rebuild does not. */
    boolean sameBuild(JobJar other) {
      return size == other.size && modifiedMillis == other.modifiedMillis;
    }

    @Override
    public String toString() {
      return path + " (" + size + " bytes, modified " + Instant.ofEpochMilli(modifiedMillis) + ")";
    }
  }

  // ---- start ------------------------------------------------------------------------------------

  private void awaitReady() throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(spec.readyTimeout());
    URI overview = restUrl().resolve("overview");
    int registered = 0;
    int slots = 0;
    while (true) {
      List<ProcessHandle> all = new ArrayList<>(taskManagers);
      all.add(0, jobManager);
      for (int i = 0; i < all.size(); i++) {
        if (!ProcessIdentity.isRunning(all.get(i))) {
          String name = i == 0 ? "jobmanager" : "taskmanager-" + i;
          Path log = spec.dir().toAbsolutePath().resolve("log").resolve(name + ".log");
          throw new RunFailedException(
              "the Flink "
                  + name
                  + " (pid "
                  + all.get(i).pid()
                  + ") exited while"
                  + " the cluster started: "
                  + rootCause(log)
                  + " (log: "
                  + log
                  + ")");
        }
      }
      try {
        JsonNode now = getJson(overview);
        registered = now.path("taskmanagers").asInt(0);
        // A TaskManager registers first and reports its slots after: ready means every slot.
        slots = now.path("slots-total").asInt(0);
        if (registered >= spec.taskManagers() && slots >= spec.taskManagers() * spec.slots()) {
          return;
        }
      } catch (IOException e) {
        // The REST endpoint is not up yet.
      }
      if (Instant.now().isAfter(deadline)) {
        throw new RunFailedException(
            "the Flink cluster in "
                + spec.dir()
                + " did not get ready in "
                + spec.readyTimeout().toSeconds()
                + " s: "
                + registered
                + " of "
                + spec.taskManagers()
                + " TaskManagers registered, "
                + slots
                + " of "
                + spec.taskManagers() * spec.slots()
                + " slots (logs in "
                + spec.dir().resolve("log")
                + ")");
      }
      // Polling is the readiness protocol: Flink has no start-up callback. 250 ms is far below the
      // seconds a JVM start takes, and each poll is one small local request.
      Thread.sleep(250);
    }
  }

  /** The innermost "Caused by:" of a Flink log, else its last line: what a user can act on. */
  public static String rootCause(Path log) {
    try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
      return lines
          .filter(l -> l.startsWith("Caused by: "))
          .reduce((a, b) -> b)
          .orElseGet(() -> Processes.lastLine(log));
    } catch (IOException | UncheckedIOException e) {
      return Processes.lastLine(log);
    }
  }

  /**
   * A process's class-data options, if the spec asks for class-data sharing: its role's first
   * process dumps the archive the cache lacks.
   */
  private static List<String> classData(
      FlinkClusterSpec spec,
      Optional<FlinkStartCache> cache,
      Role role,
      String name,
      boolean first,
      Path dir,
      Path logs)
      throws IOException {
    return spec.classDataSharing() && cache.isPresent()
        ? cache.get().classDataOptions(role.cacheName, first, dir, logs.resolve(name + ".cds.log"))
        : List.of();
  }

  /** A kind of cluster process: its name in the start cache, Flink's sizing command, its label. */
  private enum Role {
    JOB_MANAGER("jobmanager", "GET_JM_RESOURCE_PARAMS", "JobManager"),
    TASK_MANAGER("taskmanager", "GET_TM_RESOURCE_PARAMS", "TaskManager");

    final String cacheName;
    final String sizingCommand;
    final String label;

    Role(String cacheName, String sizingCommand, String label) {
      this.cacheName = cacheName;
      this.sizingCommand = sizingCommand;
      this.label = label;
    }
  }

  /** How the cluster's JVMs are launched: one class path, config folder and port settings. */
  private record Launch(
      Path lib, Optional<Path> jobJar, Path conf, Path logs, Path tmp, List<String> ports) {

    String classpath() {
      String flink = lib + File.separator + "*";
      return jobJar.map(jar -> flink + File.pathSeparator + jar).orElse(flink);
    }

    Path java() {
      return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    Process resourceParams(String command) throws IOException {
      List<String> cmd =
          List.of(
              java().toString(),
              "-Xmx64m",
              "-XX:TieredStopAtLevel=1",
              "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri(),
              "-Dlog.file=" + logs.resolve("sizing.log"),
              "-cp",
              classpath(),
              RESOURCE_PARAMS_MAIN,
              command,
              "--configDir",
              conf.toString());
      return new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
    }

    /**
     * The two result lines of BashJavaUtils: the JVM's memory flags and its {@code -D} settings.
     */
    static List<String> resourceLines(Process process, String what)
        throws IOException, InterruptedException {
      String output;
      try (InputStream in = process.getInputStream()) {
        output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      process.waitFor();
      List<String> lines =
          output
              .lines()
              .filter(l -> l.startsWith(RESOURCE_PARAMS_PREFIX))
              .map(l -> l.substring(RESOURCE_PARAMS_PREFIX.length()).strip())
              .toList();
      if (process.exitValue() != 0 || lines.size() != 2) {
        throw new RunFailedException(
            "Flink could not size the "
                + what
                + " process (exit code "
                + process.exitValue()
                + "): "
                + output.lines().reduce((a, b) -> b).orElse("no output"));
      }
      return lines;
    }

    /**
     * Flink's own memory arithmetic (what flink-dist's scripts call) for the JobManager and the
     * TaskManager, both at once, or what the cache kept of it.
     */
    Map<Role, List<String>> size(Optional<FlinkStartCache> cache, String config)
        throws IOException, InterruptedException {
      Map<Role, List<String>> lines = new EnumMap<>(Role.class);
      Map<Role, Process> sizing = new EnumMap<>(Role.class);
      for (Role role : Role.values()) {
        Optional<List<String>> cached = cache.flatMap(c -> c.sizing(role.cacheName, config));
        if (cached.isPresent()) {
          lines.put(role, cached.get());
        } else {
          sizing.put(role, resourceParams(role.sizingCommand));
        }
      }
      for (Map.Entry<Role, Process> running : sizing.entrySet()) {
        Role role = running.getKey();
        List<String> sized = resourceLines(running.getValue(), role.label);
        cache.ifPresent(c -> c.saveSizing(role.cacheName, config, sized));
        lines.put(role, sized);
      }
      return lines;
    }

    ProcessHandle start(
        String name,
        List<String> resources,
        List<String> jvmOptions,
        String main,
        List<String> extra)
        throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(java().toString());
      cmd.addAll(Arrays.asList(resources.get(0).split("\\s+")));
      cmd.addAll(JAVA_17_OPTIONS);
      cmd.addAll(jvmOptions);
      cmd.add("-Djava.io.tmpdir=" + tmp);
      cmd.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
      cmd.add("-Dlog.file=" + logs.resolve(name + ".log"));
      cmd.addAll(List.of("-cp", classpath(), main, "--configDir", conf.toString()));
      cmd.addAll(ports);
      cmd.addAll(extra);
      if (!resources.get(1).isBlank()) {
        cmd.addAll(Arrays.asList(resources.get(1).split("\\s+")));
      }
      Path out = logs.resolve(name + ".out");
      Files.writeString(out, "$ " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8);
      return new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start()
          .toHandle();
    }
  }

  /** A jar with only a manifest that says where the job's classes are. */
  static void writePlaceholderJar(Path file, Path jobJar) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest
        .getMainAttributes()
        .putValue("Mlproof-Note", "job classes are on the cluster's class path: " + jobJar);
    try (OutputStream out = Files.newOutputStream(file);
        JarOutputStream jar = new JarOutputStream(out, manifest)) {
      jar.finish();
    }
  }

  /** The cluster's config.yaml: loopback only, small processes, restarts on a lost TaskManager. */
  static String config(FlinkClusterSpec spec, Path tmp) {
    return String.join(
        "\n",
        "# Written by mlproof for a local session cluster; see docs/DEPLOY.md.",
        "jobmanager.rpc.address: " + LOOPBACK,
        "jobmanager.bind-host: " + LOOPBACK,
        "taskmanager.bind-host: " + LOOPBACK,
        "taskmanager.host: " + LOOPBACK,
        "rest.address: " + LOOPBACK,
        "rest.bind-address: " + LOOPBACK,
        "jobmanager.memory.process.size: " + spec.jobManagerMemory(),
        "taskmanager.memory.process.size: " + spec.taskManagerMemory(),
        "taskmanager.numberOfTaskSlots: " + spec.slots(),
        // Without it every task landed on one TaskManager.
        "cluster.evenly-spread-out-slots: true",
        // JNI libraries load once per JVM: the cluster's lib/ holds them, every job shares them.
        "classloader.parent-first-patterns.additional: org.duckdb;com.microsoft.ml.lightgbm;io.github.metarank.lightgbm4j",
        // Flink's sort-shuffle holds at least 512 network buffers (16 MB) per blocking result
        // partition; after a TaskManager was lost, the survivor hosted every task of a job with
        // several outputs and had too few ("Insufficient number of network buffers: required 512,
        // but only 391 available", FlinkClusterIT's failover test). 64 still writes in 2 MB
        // batches.
        "taskmanager.network.sort-shuffle.min-buffers: 64",
        "restart-strategy.type: fixed-delay",
        "restart-strategy.fixed-delay.attempts: 3",
        "restart-strategy.fixed-delay.delay: 2 s",
        // A killed TaskManager is noticed after 2 failed heartbeat RPCs
        // (heartbeat.rpc-failure-threshold),
        // about 4 s; a slow one gets a minute: with a 5 s timeout, TaskManagers starved of CPU on a
        // loaded 2-core machine were declared lost and the job failed.
        "heartbeat.interval: 2000",
        "heartbeat.timeout: 60000",
        // Flink's 10 s defaults for starting the RPC system and for RPC answers failed TaskManager
        // starts on a 2-core machine loaded 20 times over.
        "pekko.startup-timeout: 120 s",
        "pekko.ask.timeout: 60 s",
        "pekko.tcp.timeout: 60 s",
        // Every file the processes write stays in the cluster's folder, removed on stop.
        "io.tmp.dirs: " + tmp,
        "web.tmpdir: " + tmp,
        "web.upload.dir: " + tmp,
        "blob.storage.directory: " + tmp,
        "");
  }

  private static final String LOG4J =
      String.join(
          "\n",
          "# One log file per process (log.file), as flink-dist's log4j.properties.",
          "rootLogger.level = INFO",
          "rootLogger.appenderRef.file.ref = MainAppender",
          "logger.akka.name = akka",
          "logger.akka.level = WARN",
          "logger.pekko.name = org.apache.pekko",
          "logger.pekko.level = WARN",
          "appender.main.name = MainAppender",
          "appender.main.type = File",
          "appender.main.append = true",
          "appender.main.fileName = ${sys:log.file}",
          "appender.main.layout.type = PatternLayout",
          "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
          "");

  private static void record(Properties state, String name, ProcessHandle process, Path dir)
      throws IOException {
    ProcessIdentity id = ProcessIdentity.of(process);
    state.setProperty(name + ".pid", Long.toString(id.pid()));
    state.setProperty(name + ".start", Long.toString(id.start()));
    state.setProperty(name + ".host", id.hostname());
    Path file = dir.resolve(STATE_FILE);
    Path partial = dir.resolve(STATE_FILE + ".partial");
    try (OutputStream out = Files.newOutputStream(partial)) {
      state.store(out, "mlproof Flink session cluster: pids and ports while it runs");
    }
    Files.move(
        partial,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Adds a process started for the cluster recorded in {@code dir} to its state, with {@code more}
   * properties: {@link #stop} stops it with the cluster's own processes.
   */
  public static void recordProcess(
      Path dir, String name, ProcessHandle process, Map<String, String> more) throws IOException {
    Properties state = readState(dir);
    more.forEach(state::setProperty);
    record(state, name, process, dir);
  }

  /** A property of the cluster recorded in {@code dir}. */
  public static Optional<String> recorded(Path dir, String key) {
    return Optional.ofNullable(readState(dir).getProperty(key));
  }

  /** A process recorded in {@code dir} under {@code name}, if it still runs. */
  public static Optional<ProcessHandle> liveProcess(Path dir, String name) {
    return recordedProcesses(dir, name::equals).stream()
        .findFirst()
        .flatMap(ProcessIdentity::liveHandle);
  }

  private static Properties readState(Path dir) {
    Properties state = new Properties();
    Path file = dir.resolve(STATE_FILE);
    if (Files.exists(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        state.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    return state;
  }

  private static List<ProcessIdentity> recordedProcesses(Path dir) {
    return recordedProcesses(dir, name -> true);
  }

  private static List<ProcessIdentity> recordedProcesses(
      Path dir, java.util.function.Predicate<String> names) {
    Properties state = readState(dir);
    return state.stringPropertyNames().stream()
        .filter(k -> k.endsWith(".pid"))
        .sorted()
        .map(k -> k.substring(0, k.length() - ".pid".length()))
        .filter(names)
        .map(
            p ->
                new ProcessIdentity(
                    Long.parseLong(state.getProperty(p + ".pid")),
                    Long.parseLong(state.getProperty(p + ".start", "0")),
                    state.getProperty(p + ".host", "")))
        .toList();
  }

  // ---- stop -------------------------------------------------------------------------------------

  /**
   * SIGTERM to all, up to 10 s for them to go (30 s while dumping), SIGKILL to the rest; then
   * archives dumped by a clean stop go to the start cache, and the tmp folder and state go.
   */
  private static void stopQuietly(List<ProcessHandle> processes, Path dir) {
    Optional<Path> cache =
        Optional.ofNullable(readState(dir).getProperty(START_CACHE)).map(Path::of);
    // A process dumping its class-data archive at exit takes longer to go.
    boolean dumping = Files.isDirectory(dir.resolve(FlinkStartCache.PENDING));
    processes.forEach(ProcessHandle::destroy);
    Instant deadline = Instant.now().plus(dumping ? DUMP_GRACE : GRACE);
    for (ProcessHandle p : processes) {
      long left = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
      awaitExit(p, left);
    }
    boolean clean = true;
    for (ProcessHandle p : processes) {
      if (ProcessIdentity.isRunning(p)) {
        clean = false;
        Processes.killTree(p);
        awaitExit(p, 5_000);
      }
    }
    FlinkStartCache.promote(dir, cache, clean);
    deleteTree(dir.resolve("tmp"));
    try {
      Files.deleteIfExists(dir.resolve(STATE_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot remove " + dir.resolve(STATE_FILE) + ": " + e.getMessage(), e);
    }
  }

  private static void awaitExit(ProcessHandle process, long millis) {
    Instant until = Instant.now().plusMillis(millis);
    // onExit() completes when the process is reaped; isRunning() also sees a zombie as gone.
    while (ProcessIdentity.isRunning(process) && Instant.now().isBefore(until)) {
      try {
        process.onExit().get(100, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // Still running, or a zombie that isRunning() will see.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        return;
      }
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot remove the Flink cluster's temporary files in " + dir + ": " + e.getMessage(), e);
    }
  }

  // ---- REST -------------------------------------------------------------------------------------

  static JsonNode getJson(URI uri) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + uri + ": HTTP " + response.statusCode());
    }
    return JSON.readTree(response.body());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
      return socket.getLocalPort();
    }
  }
}
