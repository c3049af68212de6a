package io.mlproof.pipelines.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExampleBufferTest {

  @Test
  void growsWithoutLosingRowsAndSelectsInTheGivenOrder() {
    ExampleBuffer buffer = new ExampleBuffer(SyntheticExamples.spec(), "hash", 0);
    for (int i = 0; i < 100; i++) {
      buffer.add(
          "e" + (99 - i), 7, true, i % 3 == 0, new double[] {i, i + 0.5, -i, i % 5, Double.NaN});
    }
    assertThat(buffer.rows()).isEqualTo(100);
    ExampleMatrix m = buffer.select(buffer.canonicalOrder());
    // Canonical order is by entity id: "e0" was added last (i = 99).
    assertThat(m.entityIds()[0]).isEqualTo("e0");
    assertThat(m.values()[0]).isEqualTo(99.0);
    assertThat(m.values()[1]).isEqualTo(99.5);
    assertThat(m.values()[4]).isNaN();
    assertThat(m.labels()[0]).isTrue(); // 99 % 3 == 0
    assertThat(m.positives()).isEqualTo(34);
  }
}
