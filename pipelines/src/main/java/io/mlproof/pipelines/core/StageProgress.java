package io.mlproof.pipelines.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How far a running pipeline is: its Beam counters so far, written by the pipeline's own process to
 * a small JSON file that the scheduler reads for the terminal. The file is replaced whole (temp
 * file, then rename), so a reader sees the previous state or the next, never half of one:
 *
 * <pre>
 * {"format":1,"state":"running","started":"2026-01-01T12:00:00Z","updated":"2026-01-01T12:00:05Z",
 * "counters":{"rows":12000,"records":11990}}</pre>
 *
 * @param counters attempted values so far (final values once {@code state} is done), summed over
 *     steps, by counter name
 */
public record StageProgress(
    State state, Instant started, Instant updated, Map<String, Long> counters) {

  /**
   * The environment variable naming the file the pipeline process writes (set by the scheduler).
   */
  public static final String ENV = "MLPROOF_PROGRESS_FILE";

  /** The file's version; a reader rejects any other. */
  public static final int FORMAT = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where the pipeline is. */
  public enum State {
    /** Built and submitted; counters are attempted values so far. */
    RUNNING,
    /** Finished; counters are final. */
    DONE,
    /** Ended with an error; counters are what was attempted. */
    FAILED;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public StageProgress {
    counters = Collections.unmodifiableMap(new TreeMap<>(counters));
  }

  /**
   * The progress file of a try whose log is {@code log}: {@code attempt=1.log} has {@code
   * attempt=1.progress.json}.
   */
  public static Path besideLog(Path log) {
    String name = log.getFileName().toString();
    String base = name.endsWith(".log") ? name.substring(0, name.length() - 4) : name;
    return log.resolveSibling(base + ".progress.json");
  }

  /**
   * The progress file of a task run as a thread of a warm task client (where the environment is the
   * client's, shared by its tasks), inherited by the threads the task starts.
   */
  private static final InheritableThreadLocal<Path> THREAD_FILE = new InheritableThreadLocal<>();

  /** Ends a {@link #forThread} setting. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Reports this thread's pipeline (and those of threads it starts from now on) to {@code file}
   * instead of the environment's, until the scope is closed.
   */
  public static Scope forThread(Path file) {
    THREAD_FILE.set(file);
    return THREAD_FILE::remove;
  }

  /** This thread's file ({@link #forThread}), else the one named by {@link #ENV}, if set. */
  public static Optional<Path> fileFromEnvironment() {
    Path own = THREAD_FILE.get();
    if (own != null) {
      return Optional.of(own);
    }
    String value = System.getenv(ENV);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(Path.of(value));
  }

  public String toJson() {
    ObjectNode root =
        JSON.createObjectNode()
            .put("format", FORMAT)
            .put("state", state.label())
            .put("started", started.toString())
            .put("updated", updated.toString());
    ObjectNode values = root.putObject("counters");
    counters.forEach(values::put);
    return root.toString();
  }

  /**
   * Parses {@link #toJson()}'s output.
   *
   * @throws IllegalArgumentException naming what is wrong, for a file of another format
   */
  public static StageProgress parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject() || root.path("format").asInt(-1) != FORMAT) {
      throw new IllegalArgumentException("not a progress file of format " + FORMAT);
    }
    try {
      State state = State.valueOf(root.path("state").asText().toUpperCase(Locale.ROOT));
      Map<String, Long> counters = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.path("counters").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> counter = it.next();
        if (!counter.getValue().canConvertToLong()) {
          throw new IllegalArgumentException(
              "counter '" + counter.getKey() + "' is not a whole number");
        }
        counters.put(counter.getKey(), counter.getValue().asLong());
      }
      return new StageProgress(
          state,
          Instant.parse(root.path("started").asText()),
          Instant.parse(root.path("updated").asText()),
          counters);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "started/updated is not an ISO-8601 instant: " + e.getMessage());
    }
  }

  /**
   * Replaces {@code file} with this progress: written beside it under a temporary name, then
   * renamed over it, so a reader never sees a partial file.
   */
  public void writeTo(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      Files.writeString(temp, toJson() + "\n", StandardCharsets.UTF_8);
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * The progress in {@code file}, or empty when there is none yet (the process has not written it).
   * A file that is there but unreadable is an error: it is written whole or not at all.
   */
  public static Optional<StageProgress> read(Path file) throws IOException {
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(parse(json));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }
}
