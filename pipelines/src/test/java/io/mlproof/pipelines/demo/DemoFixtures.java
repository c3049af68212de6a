package io.mlproof.pipelines.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Demo warehouses for other stages' tests (shared through the pipelines test-jar): each spec is
 * generated once per JVM and every caller gets its own copy, so tests cannot disturb each other.
 *
 * <pre>{@code Path warehouse = DemoFixtures.smallWarehouse(tempDir, 7);  // DemoSpec.small(7)}</pre>
 */
public final class DemoFixtures {

  private static final Map<DemoSpec, Path> BUILT = new ConcurrentHashMap<>();

  private DemoFixtures() {}

  /** A fresh copy of the {@link DemoSpec#small} warehouse at {@code dir/warehouse.duckdb}. */
  public static Path smallWarehouse(Path dir, long seed) {
    return warehouse(dir, DemoSpec.small(seed));
  }

  /** A fresh copy of the warehouse for {@code spec} at {@code dir/warehouse.duckdb}. */
  public static Path warehouse(Path dir, DemoSpec spec) {
    Path copy = dir.resolve("warehouse.duckdb");
    try {
      Files.copy(BUILT.computeIfAbsent(spec, DemoFixtures::build), copy, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return copy;
  }

  private static Path build(DemoSpec spec) {
    try {
      Path dir = Files.createTempDirectory("mlproof-demo-fixture");
      Path file = dir.resolve("warehouse.duckdb");
      // Deleted in reverse order of registration: the file, then its directory.
      dir.toFile().deleteOnExit();
      file.toFile().deleteOnExit();
      DemoWarehouse.create(file, spec);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
