package io.mlproof.orchestrator.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start cache's keys, entries and hand-over of dumped archives, on files. A real cluster
 * starting from it (the JVMs mapping the archive) is FlinkStartCacheIT.
 */
class FlinkStartCacheTest {
  @TempDir Path dir;
  private Path cacheDir;
  private Path jar;

  @BeforeEach
  void files() throws Exception {
    cacheDir = dir.resolve("cache");
    jar = Files.writeString(dir.resolve("job.jar"), "not really a jar");
    Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2026-12-01T00:00:00Z")));
  }

  private FlinkStartCache cache() {
    return FlinkStartCache.open(cacheDir, List.of(jar)).orElseThrow();
  }

  @Test
  void theSameClassPathFindsTheSameEntriesAndAChangedFileNone() throws Exception {
    Path archive = cache().archive("taskmanager");
    assertThat(cache().archive("taskmanager")).isEqualTo(archive);
    assertThat(cache().archive("jobmanager")).isNotEqualTo(archive);
    cache().saveSizing("taskmanager", "config a", List.of("-Xmx1", "-D x=1"));

    // A rebuilt jar: same path, new modification time.
    Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2026-12-01T00:00:01Z")));
    assertThat(cache().archive("taskmanager")).isNotEqualTo(archive);
    assertThat(cache().sizing("taskmanager", "config a")).isEmpty();
    // Another size at the old time.
    Files.writeString(jar, "not really a jar, longer");
    Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2026-12-01T00:00:00Z")));
    assertThat(cache().archive("taskmanager")).isNotEqualTo(archive);
  }

  @Test
  void sizingIsKeptPerRoleAndConfig() {
    cache().saveSizing("taskmanager", "config a", List.of("-Xmx1", "-D x=1"));
    assertThat(cache().sizing("taskmanager", "config a")).contains(List.of("-Xmx1", "-D x=1"));
    assertThat(cache().sizing("taskmanager", "config b")).isEmpty();
    assertThat(cache().sizing("jobmanager", "config a")).isEmpty();
  }

  @Test
  void aRoleWithoutAnArchiveDumpsOneFromItsFirstProcessAndMapsItOnceItIsThere() throws Exception {
    Path cluster = dir.resolve("cluster");
    Path log = cluster.resolve("log/taskmanager.cds.log");
    Path archive = cache().archive("taskmanager");
    assertThat(cache().classDataOptions("taskmanager", true, cluster, log))
        .containsExactly(
            "-XX:ArchiveClassesAtExit="
                + cluster.resolve("start-cache-pending").resolve(archive.getFileName()));
    assertThat(cluster.resolve("start-cache-pending")).isDirectory();
    assertThat(cache().classDataOptions("taskmanager", false, cluster, log)).isEmpty();

    Files.writeString(archive, "archive");
    for (boolean first : List.of(true, false)) {
      assertThat(cache().classDataOptions("taskmanager", first, cluster, log))
          .containsExactly("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=info:file=" + log);
    }
  }

  @Test
  void aCleanStopMovesTheDumpedArchivesIntoTheCacheAndAnUncleanOneDropsThem() throws Exception {
    Path archive = cache().archive("taskmanager");
    Path cluster = dir.resolve("cluster");
    Path pending = Files.createDirectories(cluster.resolve("start-cache-pending"));

    Files.writeString(pending.resolve(archive.getFileName()), "half");
    FlinkStartCache.promote(cluster, Optional.of(cacheDir), false);
    assertThat(archive).doesNotExist();
    assertThat(pending).doesNotExist();

    Files.createDirectories(pending);
    Files.writeString(pending.resolve(archive.getFileName()), "whole");
    FlinkStartCache.promote(cluster, Optional.of(cacheDir), true);
    assertThat(archive).hasContent("whole");
    assertThat(pending).doesNotExist();
    try (var left = Files.list(cacheDir)) {
      assertThat(left).containsExactly(archive);
    }
  }

  @Test
  void onlyTheMostRecentlyUsedArchivesAndSizingsStay() throws Exception {
    FlinkStartCache cache = cache();
    Path archive = cache.archive("taskmanager");
    Instant t = Instant.parse("2026-11-01T00:00:00Z");
    for (int i = 0; i < 6; i++) {
      FileTime time = FileTime.from(t.plusSeconds(i));
      // The oldest archive is this class path's.
      Path a = i == 0 ? archive : cacheDir.resolve("a" + i + ".jsa");
      Files.setLastModifiedTime(Files.writeString(a, "a"), time);
      Files.setLastModifiedTime(Files.writeString(cacheDir.resolve("s" + i + ".txt"), "s"), time);
    }
    // Mapping it marks it used.
    cache.classDataOptions("taskmanager", true, dir.resolve("cluster"), dir.resolve("cds.log"));

    FlinkStartCache.prune(cacheDir);
    try (var left = Files.list(cacheDir)) {
      assertThat(left.map(f -> f.getFileName().toString()).sorted())
          .containsExactly(
              "a3.jsa",
              "a4.jsa",
              "a5.jsa",
              "s0.txt",
              "s1.txt",
              "s2.txt",
              "s3.txt",
              "s4.txt",
              "s5.txt",
              archive.getFileName().toString());
    }
  }

  @Test
  void aCacheFolderThatCannotBeCreatedIsNoCache() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "");
    assertThat(FlinkStartCache.open(file.resolve("cache"), List.of(jar))).isEmpty();
  }
}
