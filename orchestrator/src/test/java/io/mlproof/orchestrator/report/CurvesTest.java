package io.mlproof.orchestrator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mlproof.orchestrator.report.Curves.Point;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The curves of five scored rows worked out by hand. Scores 0.9 (churned), 0.8 (stayed), 0.8
 * (churned), 0.3 (stayed), 0.1 (churned): 3 positives, 2 negatives; the two rows at 0.8 enter
 * together. Cumulative (TP, FP) after each distinct score: (1, 0), (2, 1), (2, 2), (3, 2).
 */
class CurvesTest {
  static final double[] SCORES = {0.9, 0.8, 0.8, 0.3, 0.1};
  static final boolean[] LABELS = {true, false, true, false, true};

  @Test
  void rocIsFalsePositiveRateAgainstRecallFromOriginToOne() {
    assertThat(Curves.of(SCORES, LABELS).roc())
        .containsExactly(
            new Point(0, 0),
            new Point(0, 1.0 / 3),
            new Point(0.5, 2.0 / 3),
            new Point(1, 2.0 / 3),
            new Point(1, 1));
  }

  @Test
  void areaUnderTheRocPointsIsTheMannWhitneyProbability() {
    // Of the 6 (churner, stayer) pairs the churner scores higher in 3 and ties in 1: (3 + 0.5) / 6.
    List<Point> roc = Curves.of(SCORES, LABELS).roc();
    double area = 0;
    for (int i = 1; i < roc.size(); i++) {
      area += (roc.get(i).x() - roc.get(i - 1).x()) * (roc.get(i).y() + roc.get(i - 1).y()) / 2;
    }
    assertThat(area).isCloseTo(3.5 / 6, within(1e-15));
  }

  @Test
  void precisionRecallHasOnePointPerThreshold() {
    assertThat(Curves.of(SCORES, LABELS).precisionRecall())
        .containsExactly(
            new Point(1.0 / 3, 1),
            new Point(2.0 / 3, 2.0 / 3),
            new Point(2.0 / 3, 0.5),
            new Point(1, 0.6));
  }

  @Test
  void gainsAreTheShareOfChurnersReachedByTheShareContacted() {
    assertThat(Curves.of(SCORES, LABELS).gains())
        .containsExactly(
            new Point(0, 0),
            new Point(0.2, 1.0 / 3),
            new Point(0.6, 2.0 / 3),
            new Point(0.8, 2.0 / 3),
            new Point(1, 1));
  }

  @Test
  void thinningKeepsEvenlySpacedPointsWithBothEnds() {
    List<Point> ten = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ten.add(new Point(i, i));
    }
    // Indices round(i * 9 / 3) for i = 0..3: 0, 3, 6, 9.
    assertThat(Curves.thin(ten, 4))
        .containsExactly(new Point(0, 0), new Point(3, 3), new Point(6, 6), new Point(9, 9));
    assertThat(Curves.thin(ten, 10)).isEqualTo(ten);
  }

  @Test
  void refusesOneClassAndMismatchedRows() {
    assertThatThrownBy(() -> Curves.of(new double[] {0.1, 0.2}, new boolean[] {true, true}))
        .hasMessage("curves need both classes: 2 positives, 0 negatives");
    assertThatThrownBy(() -> Curves.of(new double[] {0.1}, new boolean[] {true, false}))
        .hasMessage("1 scores for 2 labels");
  }
}
