package io.mlproof.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.orchestrator.flink.FlinkClusterSpec;
import io.mlproof.orchestrator.flink.FlinkSessionCluster;
import io.mlproof.orchestrator.state.ProcessIdentity;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session cluster's start cache on real JobManager and TaskManager JVMs: the first start sizes
 * the processes with Flink's BashJavaUtils and, with class-data sharing on, dumps an archive per
 * role when it stops; the next start on the same class path runs no sizing JVM and maps the
 * archives; a changed class-path file starts afresh.
 */
class FlinkStartCacheIT {
  @TempDir Path dir;

  @Test
  void aSecondStartReusesTheFirstsSizingAndClassArchivesUntilAClassPathFileChanges()
      throws Exception {
    Path lib =
        Path.of(
            System.getProperty(
                "mlproof.flinkLib", MlproofCli.repo().resolve("target/flink-lib").toString()));
    Path cache = dir.resolve("cache");
    Path jobJar = emptyJar(dir.resolve("job.jar"));
    Files.setLastModifiedTime(jobJar, FileTime.from(Instant.parse("2026-12-01T00:00:00Z")));

    Path first = startAndStop(lib, jobJar, cache, "first", true);
    assertThat(first.resolve("log/sizing.log")).exists();
    assertThat(commandLine(first, "jobmanager")).contains("-XX:ArchiveClassesAtExit=");
    assertThat(commandLine(first, "taskmanager-1")).contains("-XX:ArchiveClassesAtExit=");
    assertThat(first.resolve("start-cache-pending")).doesNotExist();
    List<String> cached = names(cache);
    assertThat(cached).filteredOn(n -> n.endsWith(".jsa")).hasSize(2);
    assertThat(cached).filteredOn(n -> n.startsWith("sizing-")).hasSize(2);

    // Sizing is reused without class-data sharing too; no archive is mapped then.
    Path plain = startAndStop(lib, jobJar, cache, "plain", false);
    assertThat(plain.resolve("log/sizing.log")).doesNotExist();
    assertThat(commandLine(plain, "taskmanager-1"))
        .doesNotContain("SharedArchiveFile")
        .doesNotContain("ArchiveClassesAtExit");

    Path second = startAndStop(lib, jobJar, cache, "second", true);
    assertThat(second.resolve("log/sizing.log")).doesNotExist();
    for (String name : List.of("jobmanager", "taskmanager-1")) {
      String role = name.replace("-1", "");
      assertThat(commandLine(second, name))
          .contains("-XX:SharedArchiveFile=" + cache.resolve(jsa(cached, role)))
          .doesNotContain("ArchiveClassesAtExit");
      // The JVM's own word that it mapped the archive's classes.
      assertThat(second.resolve("log/" + name + ".cds.log"))
          .content()
          .contains("Mapped dynamic region");
    }
    assertThat(names(cache)).isEqualTo(cached);

    // A rebuilt jar on the class path: the cached entries are not its, so the start sizes and
    // dumps again.
    Files.setLastModifiedTime(jobJar, FileTime.from(Instant.parse("2026-12-01T00:00:01Z")));
    Path third = startAndStop(lib, jobJar, cache, "third", true);
    assertThat(third.resolve("log/sizing.log")).exists();
    assertThat(commandLine(third, "taskmanager-1")).contains("-XX:ArchiveClassesAtExit=");
    assertThat(names(cache)).containsAll(cached).filteredOn(n -> n.endsWith(".jsa")).hasSize(4);
  }

  /** Starts a 1-TaskManager cluster in {@code dir/name}, stops it, checks nothing runs; its dir. */
  private Path startAndStop(
      Path lib, Path jobJar, Path cache, String name, boolean classDataSharing) {
    Path clusterDir = dir.resolve(name);
    FlinkClusterSpec spec =
        FlinkClusterSpec.of(lib, clusterDir, 1)
            .withJobJar(jobJar)
            .withStartCache(Optional.of(cache))
            .withClassDataSharing(classDataSharing);
    List<ProcessHandle> processes = new ArrayList<>();
    try (FlinkSessionCluster cluster = FlinkSessionCluster.start(spec)) {
      processes.add(cluster.jobManager());
      processes.addAll(cluster.taskManagers());
    }
    assertThat(processes).noneMatch(ProcessIdentity::isRunning);
    return clusterDir;
  }

  private static String commandLine(Path clusterDir, String process) throws IOException {
    try (Stream<String> lines = Files.lines(clusterDir.resolve("log/" + process + ".out"))) {
      return lines.findFirst().orElseThrow();
    }
  }

  private static String jsa(List<String> names, String role) {
    return names.stream()
        .filter(n -> n.startsWith(role + "-") && n.endsWith(".jsa"))
        .findFirst()
        .orElseThrow();
  }

  private static List<String> names(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  private static Path emptyJar(Path file) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
    try (OutputStream out = Files.newOutputStream(file);
        JarOutputStream jar = new JarOutputStream(out, manifest)) {
      jar.finish();
    }
    return file;
  }
}
