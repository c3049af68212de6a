package io.mlproof.pipelines.model;

import io.github.metarank.lightgbm4j.LGBMBooster;
import io.mlproof.pipelines.core.RunFailedException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Loads LightGBM's native libraries from a directory private to this process.
 *
 * <p>LightGBM4J extracts them to {@code ${java.io.tmpdir}/lib_lightgbm.so}, a path every JVM on the
 * machine shares; a second JVM starting to train rewrites the file under the first one, which then
 * crashes with SIGSEGV (seen here: two trainings in parallel, as the DAG scheduler runs them). So
 * the extraction is pointed at a fresh directory for the moment of loading, and the files are
 * deleted once loaded (the mapping stays valid on Linux). Call {@link #load} before any other
 * LightGBM4J class is touched.
 */
public final class LightGbmNative {
  private static boolean loaded;

  private LightGbmNative() {}

  public static synchronized void load() {
    if (loaded) {
      return;
    }
    String tmp = System.getProperty("java.io.tmpdir");
    Path dir = null;
    try {
      dir = Files.createTempDirectory("mlproof-lightgbm-");
      System.setProperty("java.io.tmpdir", dir + File.separator);
      LGBMBooster.loadNative(); // LightGBM4J reads java.io.tmpdir when it extracts
      loaded = true;
    } catch (IOException | UnsatisfiedLinkError e) {
      throw new RunFailedException("cannot load LightGBM's native library: " + e.getMessage(), e);
    } finally {
      System.setProperty("java.io.tmpdir", tmp);
      deleteQuietly(dir);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // Left-over copies in a private temp directory harm no one; the libraries are loaded.
      dir.toFile().deleteOnExit();
    }
  }
}
