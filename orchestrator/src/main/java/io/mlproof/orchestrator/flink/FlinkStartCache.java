package io.mlproof.orchestrator.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a session cluster's start reuses from earlier starts on the same class path, so that its
 * fixed cost is paid once per build rather than once per DAG run:
 *
 * <ul>
 *   <li>Flink's memory sizing ({@code BashJavaUtils}, two JVMs per start), a pure function of the
 *       config and Flink's version;
 *   <li>per process role, a class-data-sharing archive (Java 17's dynamic AppCDS) of the classes
 *       that role loaded: Flink's, and the job jar's when it is on the class path. A JVM mapping it
 *       skips parsing and verifying them.
 * </ul>
 *
 * <p>Every entry's name carries a key of the JVM and of each class-path file's path, size and
 * modification time: a rebuilt jar or another JDK starts afresh, and the folder may be deleted at
 * any time. A role's archive is dumped by its first process when the cluster stops ({@code
 * -XX:ArchiveClassesAtExit}, into the cluster's own folder) and moved into the cache only if every
 * process stopped within the grace period, so one killed mid-dump leaves nothing half-written here.
 */
final class FlinkStartCache {

  /** In a cluster's folder: archives being dumped, moved to the cache when the cluster stops. */
  static final String PENDING = "start-cache-pending";

  private final Path dir;
  private final String key;

  private FlinkStartCache(Path dir, String key) {
    this.dir = dir;
    this.key = key;
  }

  /**
   * The cache in {@code dir} for JVMs of this Java with {@code classpath} (files in class-path
   * order); empty if the folder cannot be created or written, so a read-only install still starts.
   */
  static Optional<FlinkStartCache> open(Path dir, List<Path> classpath) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (!Files.isWritable(dir)) {
      return Optional.empty();
    }
    StringBuilder identity = new StringBuilder();
    identity
        .append(System.getProperty("java.home"))
        .append('\n')
        .append(System.getProperty("java.vm.version"))
        .append('\n');
    for (Path file : classpath) {
      try {
        identity
            .append(file.toAbsolutePath())
            .append(' ')
            .append(Files.size(file))
            .append(' ')
            .append(Files.getLastModifiedTime(file).toMillis())
            .append('\n');
      } catch (IOException e) {
        return Optional.empty();
      }
    }
    prune(dir);
    return Optional.of(new FlinkStartCache(dir.toAbsolutePath(), sha256(identity.toString())));
  }

  /** Archives kept: two class paths' (say the run's cluster's and mlproof flink start's) roles. */
  static final int ARCHIVES_KEPT = 4;

  /** Sizing entries kept; they are a few hundred bytes each. */
  static final int SIZINGS_KEPT = 16;

  /**
   * Every build's class path has entries of its own that no later build can use, so only the most
   * recently used of each kind stay (an entry is touched when used): without this the folder grew
   * by both roles' archives, tens of MB each, with every build.
   */
  static void prune(Path dir) {
    prune(dir, ".jsa", ARCHIVES_KEPT);
    prune(dir, ".txt", SIZINGS_KEPT);
  }

  private static void prune(Path dir, String suffix, int kept) {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> stale =
          files
              .filter(f -> f.getFileName().toString().endsWith(suffix))
              .sorted(
                  Comparator.comparing(FlinkStartCache::lastUsed)
                      .reversed()
                      .thenComparing(Path::getFileName))
              .skip(kept)
              .toList();
      for (Path file : stale) {
        // A cluster starting beside this one may still name it: a JVM without its archive runs.
        Files.deleteIfExists(file);
      }
    } catch (IOException | UncheckedIOException e) {
      // The cache is an optimisation: an entry left now goes at a later start.
    }
  }

  private static FileTime lastUsed(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Marks an entry as used now, so that pruning keeps it over older ones. */
  private static void touch(Path file) {
    try {
      Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
    } catch (IOException e) {
      // Only its place in the pruning order is lost.
    }
  }

  /** The jar files of a class path of {@code lib/*} and an optional job jar, in JVM order. */
  static List<Path> classpathFiles(Path lib, Optional<Path> jobJar) {
    try (Stream<Path> files = Files.list(lib)) {
      // The JVM expands lib/* in directory order; the key only needs the same set to match.
      Stream<Path> jars = files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted();
      return Stream.concat(jars, jobJar.stream()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + lib + ": " + e.getMessage(), e);
    }
  }

  /** The two lines Flink's sizing printed for {@code role} under {@code config}, if cached. */
  Optional<List<String>> sizing(String role, String config) {
    Path file = sizingFile(role, config);
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      if (lines.size() != 2) {
        return Optional.empty();
      }
      touch(file);
      return Optional.of(lines);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Keeps Flink's sizing of {@code role}; written whole or not at all. */
  void saveSizing(String role, String config, List<String> lines) {
    Path file = sizingFile(role, config);
    try {
      Path partial = Files.createTempFile(dir, file.getFileName().toString(), ".partial");
      Files.write(partial, lines, StandardCharsets.UTF_8);
      Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // A cache that cannot be written only means sizing again next time.
    }
  }

  /**
   * JVM options for a process of {@code role}: map the role's archive if the cache has it, else
   * (for the role's first process only) dump one into {@code clusterDir}'s pending folder at exit,
   * which this creates (the JVM does not). The archive's use is logged to {@code cdsLog}.
   */
  List<String> classDataOptions(String role, boolean first, Path clusterDir, Path cdsLog)
      throws IOException {
    Path archive = archive(role);
    if (Files.isRegularFile(archive)) {
      touch(archive);
      return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=info:file=" + cdsLog);
    }
    if (!first) {
      return List.of();
    }
    Path pending = Files.createDirectories(clusterDir.resolve(PENDING));
    return List.of("-XX:ArchiveClassesAtExit=" + pending.resolve(archive.getFileName()));
  }

  Path dir() {
    return dir;
  }

  Path archive(String role) {
    return dir.resolve(role + "-" + key + ".jsa");
  }

  /**
   * After a cluster in {@code clusterDir} stopped: moves its dumped archives into {@code cacheDir}
   * if every process stopped cleanly ({@code clean}), and removes the pending folder either way.
   */
  static void promote(Path clusterDir, Optional<Path> cacheDir, boolean clean) {
    Path pending = clusterDir.resolve(PENDING);
    if (!Files.isDirectory(pending)) {
      return;
    }
    try (Stream<Path> files = Files.list(pending)) {
      for (Path archive : files.toList()) {
        if (clean && cacheDir.isPresent() && Files.size(archive) > 0) {
          Path target = cacheDir.get().resolve(archive.getFileName());
          // Copied beside its target first: the cluster's folder may be on another file system.
          Path partial = Files.createTempFile(cacheDir.get(), target.getFileName().toString(), "");
          Files.copy(archive, partial, StandardCopyOption.REPLACE_EXISTING);
          Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.delete(archive);
      }
      Files.delete(pending);
    } catch (IOException e) {
      // The cache is an optimisation: the next start dumps again.
    }
  }

  private Path sizingFile(String role, String config) {
    return dir.resolve("sizing-" + role + "-" + sha256(key + "\n" + config) + ".txt");
  }

  private static String sha256(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }
}
