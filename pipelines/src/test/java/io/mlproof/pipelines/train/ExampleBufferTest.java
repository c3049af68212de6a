package io.mlproof.pipelines.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.pipelines.core.InvalidInputException;
import org.junit.jupiter.api.Test;

class ExampleBufferTest {

  @Test
  void growsWithoutLosingRowsAndSelectsInTheGivenOrder() {
    ExampleBuffer buffer = new ExampleBuffer(SyntheticExamples.spec(), "hash", 0);
    for (int i = 0; i < 100; i++) {
      buffer.add("e" + (99 - i), 7, true, i % 3 == 0, new double[] {i, i + 0.5, -i, i % 5, Double.NaN});
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

  @Test
  void duplicateEntityAtOneCutoffIsRejected() {
    ExampleBuffer buffer = new ExampleBuffer(SyntheticExamples.spec(), "hash", 4);
    buffer.add("a", 1, true, true, new double[5]);
    buffer.add("a", 1, true, false, new double[5]);
    buffer.add("b", 2, true, false, new double[5]);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrainingData.byTime(buffer, true))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("entity a appears twice at cutoff day 1: the examples must hold one row per entity and cutoff"
            + " (check the features task)");
  }

  @Test
  void trainingRowsWhoseLabelWindowOverlapsValidationArePurged() {
    // Horizon 30: with validation at day 100, rows at day 80 (80 + 30 > 100) leak; day 70 does not.
    ExampleBuffer buffer = new ExampleBuffer(SyntheticExamples.spec(), "hash", 4);
    buffer.add("a", 70, true, true, new double[5]);
    buffer.add("b", 70, true, false, new double[5]);
    buffer.add("a", 80, true, false, new double[5]);
    buffer.add("a", 100, true, false, new double[5]);
    buffer.add("b", 100, true, true, new double[5]);
    buffer.add("c", 130, false, false, new double[5]);
    TrainingData data = TrainingData.byTime(buffer, true);
    assertThat(data.counters())
        .containsEntry("train_rows", 2L)
        .containsEntry("train_rows_purged_label_overlap", 1L)
        .containsEntry("validation_rows", 2L)
        .containsEntry("examples_unlabelled_skipped", 1L);
    assertThat(data.validationCutoffDay()).isEqualTo(100);
    assertThat(TrainingData.byTime(buffer, false).counters()).containsEntry("train_rows", 3L);
  }
}
