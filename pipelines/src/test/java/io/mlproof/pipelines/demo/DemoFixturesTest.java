package io.mlproof.pipelines.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoFixturesTest {

  private static final DemoSpec SPEC = DemoSpec.small(3).withUsers(100);

  @TempDir Path one;
  @TempDir Path two;

  @Test
  void everyCallerGetsItsOwnCopyOfTheSameWarehouse() {
    Path a = DemoFixtures.warehouse(one, SPEC);
    Path b = DemoFixtures.warehouse(two, SPEC);

    assertThat(a).isEqualTo(one.resolve("warehouse.duckdb"));
    assertThat(b).isEqualTo(two.resolve("warehouse.duckdb"));
    assertThat(DemoWarehouse.readSpec(a)).contains(SPEC);
    try (Db da = Db.open(a);
        Db db = Db.open(b)) {
      assertThat(db.checksums()).isEqualTo(da.checksums());
      assertThat(da.number("SELECT count(*) FROM users")).isEqualTo(100);
    }
  }
}
