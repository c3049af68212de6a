package io.mlproof.orchestrator.state;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/**
 * DAG runs, task instances and run locks in one SQLite file (WAL mode, so readers such as {@code
 * dags status} never block a run). One connection, used under this object's monitor.
 *
 * <p>Durability: {@code synchronous=NORMAL} in WAL mode survives a killed process (every commit is
 * in the WAL before the call returns), which is the failure this store must survive; it may lose
 * the last commits on power loss, which a re-run repairs.
 */
public final class StateStore implements AutoCloseable {

  // pid_start_ms holds ProcessIdentity.start: on Linux the kernel's clock ticks since boot, not
  // milliseconds; the name is older than that, and renaming it would need a migration.
  private static final String SCHEMA =
      """
      CREATE TABLE IF NOT EXISTS dag_run (
        dag_id TEXT NOT NULL,
        logical_date TEXT NOT NULL,
        state TEXT NOT NULL,
        run_type TEXT NOT NULL,
        conf TEXT NOT NULL,
        start_ms INTEGER,
        end_ms INTEGER,
        run_root TEXT,
        PRIMARY KEY (dag_id, logical_date));
      CREATE TABLE IF NOT EXISTS task_instance (
        dag_id TEXT NOT NULL,
        logical_date TEXT NOT NULL,
        task_id TEXT NOT NULL,
        state TEXT NOT NULL,
        try_number INTEGER NOT NULL,
        max_tries INTEGER NOT NULL,
        start_ms INTEGER,
        end_ms INTEGER,
        duration_ms INTEGER,
        output TEXT NOT NULL,
        log_file TEXT,
        message TEXT,
        pid INTEGER,
        pid_start_ms INTEGER,
        hostname TEXT,
        PRIMARY KEY (dag_id, logical_date, task_id));
      CREATE TABLE IF NOT EXISTS run_lock (
        dag_id TEXT NOT NULL,
        logical_date TEXT NOT NULL,
        pid INTEGER NOT NULL,
        pid_start_ms INTEGER NOT NULL,
        hostname TEXT NOT NULL,
        acquired_ms INTEGER NOT NULL,
        PRIMARY KEY (dag_id, logical_date));
      """;

  private final Path file;
  private final Connection connection;

  private StateStore(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /** Opens (creating if needed) the store at {@code file}. */
  public static StateStore open(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      SQLiteConfig config = new SQLiteConfig();
      config.setJournalMode(SQLiteConfig.JournalMode.WAL);
      config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
      config.setBusyTimeout(30_000);
      // Writers take the write lock when their transaction begins: no deadlocked lock upgrades.
      config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
      Connection connection =
          DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
      try (Statement st = connection.createStatement()) {
        for (String ddl : SCHEMA.split(";")) {
          if (!ddl.isBlank()) {
            st.execute(ddl);
          }
        }
      }
      StateStore store = new StateStore(file, connection);
      store.migrate();
      return store;
    } catch (SQLException | java.io.IOException e) {
      throw new io.mlproof.pipelines.core.InvalidInputException(
          "cannot open state file " + file + ": " + e.getMessage() + " (check --state)", e);
    }
  }

  public Path file() {
    return file;
  }

  /**
   * Brings a state file written by an older mlproof up to this schema: {@code dag_run.run_root}
   * (added so a run cannot be resumed or reported under another run root) is filled from the output
   * directory of one of the run's task instances, {@code <run_root>/<dag_id>/<ds>/<task_id>}.
   */
  private void migrate() throws SQLException {
    boolean hasRunRoot =
        query("PRAGMA table_info(dag_run)", rs -> rs.getString("name")).contains("run_root");
    if (hasRunRoot) {
      return;
    }
    inTransaction(
        () -> {
          try (Statement st = connection.createStatement()) {
            st.execute("ALTER TABLE dag_run ADD COLUMN run_root TEXT");
          }
          List<String[]> outputs =
              query(
                  "SELECT r.dag_id, r.logical_date, t.task_id, t.output FROM dag_run r"
                      + " JOIN task_instance t USING (dag_id, logical_date)",
                  rs ->
                      new String[] {
                        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)
                      });
          for (String[] row : outputs) {
            String suffix = "/" + row[0] + "/" + row[1] + "/" + row[2];
            if (row[3].endsWith(suffix)) {
              update(
                  "UPDATE dag_run SET run_root = ? WHERE dag_id = ? AND logical_date = ? AND run_root IS NULL",
                  row[3].substring(0, row[3].length() - suffix.length()),
                  row[0],
                  row[1]);
            }
          }
          return null;
        });
  }

  // ---- locks ----------------------------------------------------------------------------------

  /**
   * Takes the lock of (dag, date) for {@code owner}, taking it over from a dead process.
   *
   * @throws RunLockedException when a live process (or one on another host) holds it
   */
  public synchronized RunLock lock(String dagId, LocalDate date, ProcessIdentity owner) {
    return inTransaction(
        () -> {
          Optional<ProcessIdentity> holder = lockHolder(dagId, date);
          if (holder.isPresent() && !holder.get().equals(owner) && holder.get().mayBeAlive()) {
            ProcessIdentity h = holder.get();
            throw new RunLockedException(
                dagId
                    + " "
                    + date
                    + " is being run by pid "
                    + h.pid()
                    + " on "
                    + h.hostname()
                    + (h.isLocalHost()
                        ? ""
                        : " (another host: if that process is gone, delete its"
                            + " row from run_lock in "
                            + file
                            + ")")
                    + ": wait for it to finish");
          }
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "INSERT OR REPLACE INTO run_lock VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, dagId);
            ps.setString(2, date.toString());
            ps.setLong(3, owner.pid());
            ps.setLong(4, owner.start());
            ps.setString(5, owner.hostname());
            ps.setLong(6, System.currentTimeMillis());
            ps.executeUpdate();
          }
          return new RunLock(this, dagId, date, owner, holder.filter(h -> !h.equals(owner)));
        });
  }

  /** The process holding (dag, date)'s lock, dead or alive. */
  public synchronized Optional<ProcessIdentity> lockHolder(String dagId, LocalDate date) {
    return query(
            "SELECT pid, pid_start_ms, hostname FROM run_lock WHERE dag_id = ? AND logical_date = ?",
            rs -> new ProcessIdentity(rs.getLong(1), rs.getLong(2), rs.getString(3)),
            dagId,
            date.toString())
        .stream()
        .findFirst();
  }

  synchronized void unlock(String dagId, LocalDate date, ProcessIdentity owner) {
    update(
        "DELETE FROM run_lock WHERE dag_id = ? AND logical_date = ? AND pid = ? AND pid_start_ms = ?",
        dagId,
        date.toString(),
        owner.pid(),
        owner.start());
  }

  // ---- dag runs -------------------------------------------------------------------------------

  public synchronized Optional<DagRunRecord> dagRun(String dagId, LocalDate date) {
    return query(
            "SELECT * FROM dag_run WHERE dag_id = ? AND logical_date = ?",
            StateStore::dagRunOf,
            dagId,
            date.toString())
        .stream()
        .findFirst();
  }

  /** Runs of {@code dagId} (every DAG when null), newest logical date first. */
  public synchronized List<DagRunRecord> dagRuns(String dagId, int limit) {
    return dagId == null
        ? query(
            "SELECT * FROM dag_run ORDER BY logical_date DESC, dag_id LIMIT ?",
            StateStore::dagRunOf,
            limit)
        : query(
            "SELECT * FROM dag_run WHERE dag_id = ? ORDER BY logical_date DESC LIMIT ?",
            StateStore::dagRunOf,
            dagId,
            limit);
  }

  public synchronized void saveDagRun(DagRunRecord run) {
    update(
        "INSERT OR REPLACE INTO dag_run (dag_id, logical_date, state, run_type, conf, start_ms, end_ms, run_root)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        run.dagId(),
        run.logicalDate().toString(),
        run.state().label(),
        run.runType().label(),
        run.conf(),
        run.start().map(Instant::toEpochMilli).orElse(null),
        run.end().map(Instant::toEpochMilli).orElse(null),
        run.runRoot().orElse(null));
  }

  private static DagRunRecord dagRunOf(ResultSet rs) throws SQLException {
    return new DagRunRecord(
        rs.getString("dag_id"),
        LocalDate.parse(rs.getString("logical_date")),
        DagRunState.fromLabel(rs.getString("state")),
        RunType.valueOf(rs.getString("run_type").toUpperCase(java.util.Locale.ROOT)),
        rs.getString("conf"),
        instant(rs, "start_ms"),
        instant(rs, "end_ms"),
        Optional.ofNullable(rs.getString("run_root")));
  }

  // ---- task instances -------------------------------------------------------------------------

  /** The task instances of one run by task id, in no particular order. */
  public synchronized Map<String, TaskInstance> taskInstances(String dagId, LocalDate date) {
    Map<String, TaskInstance> byTask = new LinkedHashMap<>();
    for (TaskInstance ti :
        query(
            "SELECT * FROM task_instance WHERE dag_id = ? AND logical_date = ?",
            StateStore::taskInstanceOf,
            dagId,
            date.toString())) {
      byTask.put(ti.taskId(), ti);
    }
    return byTask;
  }

  /** Saves the instances in one transaction; their process columns are left as they are. */
  public synchronized void save(Collection<TaskInstance> instances) {
    inTransaction(
        () -> {
          for (TaskInstance ti : instances) {
            saveOne(ti);
          }
          return null;
        });
  }

  public synchronized void save(TaskInstance ti) {
    saveOne(ti);
  }

  private void saveOne(TaskInstance ti) {
    update(
        """
        INSERT INTO task_instance (dag_id, logical_date, task_id, state, try_number, max_tries,
          start_ms, end_ms, duration_ms, output, log_file, message)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (dag_id, logical_date, task_id) DO UPDATE SET state = excluded.state,
          try_number = excluded.try_number, max_tries = excluded.max_tries, start_ms = excluded.start_ms,
          end_ms = excluded.end_ms, duration_ms = excluded.duration_ms, output = excluded.output,
          log_file = excluded.log_file, message = excluded.message""",
        ti.dagId(),
        ti.logicalDate().toString(),
        ti.taskId(),
        ti.state().label(),
        ti.tryNumber(),
        ti.maxTries(),
        ti.start().map(Instant::toEpochMilli).orElse(null),
        ti.end().map(Instant::toEpochMilli).orElse(null),
        ti.duration().map(java.time.Duration::toMillis).orElse(null),
        ti.output(),
        ti.logFile().orElse(null),
        ti.message().orElse(null));
  }

  /** Records the process a running task started, so a later run can stop it if this one dies. */
  public synchronized void recordProcess(
      String dagId, LocalDate date, String taskId, ProcessIdentity process) {
    update(
        "UPDATE task_instance SET pid = ?, pid_start_ms = ?, hostname = ?"
            + " WHERE dag_id = ? AND logical_date = ? AND task_id = ?",
        process.pid(),
        process.start(),
        process.hostname(),
        dagId,
        date.toString(),
        taskId);
  }

  /** The process last recorded for a task instance, if any. */
  public synchronized Optional<ProcessIdentity> taskProcess(
      String dagId, LocalDate date, String taskId) {
    return query(
            "SELECT pid, pid_start_ms, hostname FROM task_instance"
                + " WHERE dag_id = ? AND logical_date = ? AND task_id = ? AND pid IS NOT NULL",
            rs -> new ProcessIdentity(rs.getLong(1), rs.getLong(2), rs.getString(3)),
            dagId,
            date.toString(),
            taskId)
        .stream()
        .findFirst();
  }

  private static TaskInstance taskInstanceOf(ResultSet rs) throws SQLException {
    return new TaskInstance(
        rs.getString("dag_id"),
        LocalDate.parse(rs.getString("logical_date")),
        rs.getString("task_id"),
        TaskState.fromLabel(rs.getString("state")),
        rs.getInt("try_number"),
        rs.getInt("max_tries"),
        instant(rs, "start_ms"),
        instant(rs, "end_ms"),
        rs.getString("output"),
        Optional.ofNullable(rs.getString("log_file")),
        Optional.ofNullable(rs.getString("message")));
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
    long millis = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
  }

  @FunctionalInterface
  private interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  @FunctionalInterface
  private interface Work<T> {
    T run() throws SQLException;
  }

  private <T> List<T> query(String sql, Row<T> row, Object... args) {
    try (PreparedStatement ps = prepare(sql, args);
        ResultSet rs = ps.executeQuery()) {
      List<T> out = new ArrayList<>();
      while (rs.next()) {
        out.add(row.read(rs));
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("state store " + file + ": " + e.getMessage(), e);
    }
  }

  private void update(String sql, Object... args) {
    try (PreparedStatement ps = prepare(sql, args)) {
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("state store " + file + ": " + e.getMessage(), e);
    }
  }

  private PreparedStatement prepare(String sql, Object... args) throws SQLException {
    PreparedStatement ps = connection.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
    return ps;
  }

  private <T> T inTransaction(Work<T> work) {
    try {
      connection.setAutoCommit(false);
      try {
        T result = work.run();
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("state store " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new IllegalStateException("closing state store " + file + ": " + e.getMessage(), e);
    }
  }
}
