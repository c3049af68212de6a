package io.mlproof.pipelines.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The three-way split; every expected count is worked out by hand beside it. */
class SplitPlannerTest {

  @Test
  void duplicateEntityAtOneCutoffIsRejected() {
    ExampleBuffer buffer = new ExampleBuffer(SyntheticExamples.spec(), "hash", 4);
    buffer.add("a", 1, true, true, new double[5]);
    buffer.add("a", 1, true, false, new double[5]);
    buffer.add("b", 2, true, false, new double[5]);
    assertThatThrownBy(() -> SplitPlanner.byTime(buffer, true))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "entity a appears twice at cutoff day 1: the examples must hold one row per entity and cutoff"
                + " (check the features task)");
  }

  /** Rows at cutoff days 40, 70, 80, 100 (and an unlabelled one at 130); horizon 30. */
  private static ExampleBuffer days() {
    ExampleBuffer buffer = new ExampleBuffer(SyntheticExamples.spec(), "hash", 8);
    buffer.add("a", 40, true, true, new double[5]);
    buffer.add("b", 40, true, false, new double[5]);
    buffer.add("a", 70, true, true, new double[5]);
    buffer.add("b", 70, true, false, new double[5]);
    buffer.add("a", 80, true, false, new double[5]);
    buffer.add("a", 100, true, false, new double[5]);
    buffer.add("b", 100, true, true, new double[5]);
    buffer.add("c", 130, false, false, new double[5]);
    return buffer;
  }

  @Test
  void newestLabelledCutoffTestsTheNewestOneAHorizonBeforeValidatesAndOlderOnesTrain() {
    // Test day 100. Validation: the newest cutoff with day + 30 <= 100, i.e. 70 (80 + 30 > 100 is
    // purged). Training: day + 30 <= 70, i.e. day 40 only.
    TrainingData data = SplitPlanner.byTime(days(), true);
    assertThat(data.testCutoffDay()).isEqualTo(100);
    assertThat(data.validationCutoffDay()).isEqualTo(70);
    assertThat(data.train().cutoffDays()).containsOnly(40);
    assertThat(data.counters())
        .containsEntry("train_rows", 2L)
        .containsEntry("validation_rows", 2L)
        .containsEntry("test_rows", 2L)
        .containsEntry("rows_purged_label_overlap", 1L)
        .containsEntry("examples_unlabelled_skipped", 1L);
    assertThat(data.split())
        .isEqualTo("time: train on cutoff days up to 40, validate on day 70, test on day 100");
  }

  @Test
  void withoutPurgeTheCutoffJustBeforeValidatesAndEveryOlderOneTrains() {
    TrainingData data = SplitPlanner.byTime(days(), false);
    assertThat(data.validationCutoffDay()).isEqualTo(80);
    assertThat(data.train().cutoffDays()).containsExactly(40, 40, 70, 70);
    assertThat(data.counters()).containsEntry("rows_purged_label_overlap", 0L);
  }

  @Test
  void aBacktestFoldChoosesItsTestDayAndNeverSeesLaterRows() {
    // Test day 70: validation day 40 (40 + 30 <= 70); no older cutoff trains.
    assertThatThrownBy(() -> SplitPlanner.byTime(days(), 70, true))
        .isInstanceOf(RunFailedException.class)
        .hasMessageStartingWith(
            "no training rows: training uses cutoffs whose 30-day label window closes by the"
                + " validation cutoff day 40");
    TrainingData fold = SplitPlanner.byTime(days(), 80, false);
    assertThat(fold.testCutoffDay()).isEqualTo(80);
    assertThat(fold.counters()).containsEntry("examples_after_test_cutoff_skipped", 2L);
  }

  @Test
  void tooFewCutoffsForAValidationDayIsAClearError() {
    ExampleBuffer buffer = new ExampleBuffer(SyntheticExamples.spec(), "hash", 4);
    buffer.add("a", 80, true, true, new double[5]);
    buffer.add("a", 100, true, false, new double[5]);
    assertThatThrownBy(() -> SplitPlanner.byTime(buffer, true))
        .isInstanceOf(RunFailedException.class)
        .hasMessage(
            "no validation cutoff: the time-aware split validates on the newest cutoff whose 30-day label"
                + " window closes by the test cutoff day 100, and the labelled cutoff days are [80, 100]; add a cutoff"
                + " at least 30 days before the newest one to the features task");
  }

  /** 100 rows, ids r000..r099, every 4th positive (25 positives, 75 negatives). */
  private static ExampleBuffer table() {
    ExampleBuffer buffer = new ExampleBuffer(SyntheticExamples.spec(), "hash", 100);
    for (int i = 0; i < 100; i++) {
      buffer.add(String.format("r%03d", i), 0, true, i % 4 == 0, new double[] {i, 0, 0, 0, 0});
    }
    return buffer;
  }

  @Test
  void stratifiedSplitHoldsOutEachClassInProportion() {
    // Test: round(0.2 x 25) = 5 positives, round(0.2 x 75) = 15 negatives. Validation: a quarter of
    // the rest, round(0.25 x 20) = 5 and round(0.25 x 60) = 15. Training: 15 + 45.
    TrainingData data = SplitPlanner.stratified(table(), 0.2, 0.25, 7);
    assertThat(data.test().rows()).isEqualTo(20);
    assertThat(data.test().positives()).isEqualTo(5);
    assertThat(data.validation().rows()).isEqualTo(20);
    assertThat(data.validation().positives()).isEqualTo(5);
    assertThat(data.train().rows()).isEqualTo(60);
    assertThat(data.train().positives()).isEqualTo(15);
    assertThat(data.split())
        .isEqualTo("stratified: 20% of each class tests, 25% of the rest validates, seed 7");
    // Disjoint, and together every row.
    String[] all =
        IntStream.range(0, 100).mapToObj(i -> String.format("r%03d", i)).toArray(String[]::new);
    String[] union =
        java.util.stream.Stream.of(data.train(), data.validation(), data.test())
            .flatMap(m -> Arrays.stream(m.entityIds()))
            .sorted()
            .toArray(String[]::new);
    assertThat(union).containsExactly(all);
    // Seeded: the same seed gives the same test rows, another seed others.
    assertThat(SplitPlanner.stratified(table(), 0.2, 0.25, 7).test().entityIds())
        .containsExactly(data.test().entityIds());
    assertThat(SplitPlanner.stratified(table(), 0.2, 0.25, 8).test().entityIds())
        .isNotEqualTo(data.test().entityIds());
  }

  @Test
  void aSplitColumnChoosesTheRowsAndValidationIsCarvedFromTrainWhenAbsent() {
    ExampleBuffer rows = table();
    String[] roles = new String[100];
    for (int i = 0; i < 100; i++) {
      roles[i] = i < 20 ? "test" : i < 30 ? "validation" : "train";
    }
    TrainingData given = SplitPlanner.byColumn(rows, roles, "fold", 0.2, 1);
    assertThat(given.test().entityIds())
        .containsExactly(
            IntStream.range(0, 20).mapToObj(i -> String.format("r%03d", i)).toArray(String[]::new));
    assertThat(given.validation().rows()).isEqualTo(10);
    assertThat(given.train().rows()).isEqualTo(70);

    for (int i = 20; i < 30; i++) {
      roles[i] = "train";
    }
    // Train rows 20..99: 20 positives, 60 negatives; validation carved: 4 + 12.
    TrainingData carved = SplitPlanner.byColumn(rows, roles, "fold", 0.2, 1);
    assertThat(carved.test().rows()).isEqualTo(20);
    assertThat(carved.validation().rows()).isEqualTo(16);
    assertThat(carved.validation().positives()).isEqualTo(4);
    assertThat(carved.train().rows()).isEqualTo(64);

    roles[5] = "holdout";
    assertThatThrownBy(() -> SplitPlanner.byColumn(rows, roles, "fold", 0.2, 1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "split column fold is 'holdout' for id r005: use 'train', 'validation' or 'test'");
  }
}
