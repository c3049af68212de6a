package io.mlproof.orchestrator.testing;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of executor tests: a fresh {@link Harness} (DAG folder, run root, SQLite state) per test.
 */
public abstract class HarnessTest {

  @TempDir protected Path tmp;
  protected Harness h;

  @BeforeEach
  void openHarness() {
    h = new Harness(tmp);
  }

  @AfterEach
  void closeHarness() {
    h.close();
  }
}
