package io.mlproof.pipelines.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The small-table rule of {@link TrainingParameters#resolvedFor}, worked out by hand from its
 * formulas.
 */
class TrainingParametersTest {
  private static final int[] ONE_CATEGORICAL = {1};

  private static TrainingParameters auto(Map<String, String> extra) {
    return new TrainingParameters(
        500,
        0.05,
        TrainingParameters.AUTO,
        TrainingParameters.AUTO,
        50,
        42,
        2,
        ClassWeighting.NONE,
        1.0,
        extra);
  }

  @Test
  void aThousandRowTableGetsShallowTreesAndLooserCategoricalSplits() {
    // 880 rows: leaves 880/200 = 4 (within [4, 31]); min data 880/50 = 17 (within [5, 20]);
    // min_data_per_group follows min data (LightGBM's 100 would forbid most categories here).
    Map<String, String> p = auto(Map.of()).resolvedFor(880).lightgbm(ONE_CATEGORICAL);
    assertThat(p)
        .containsEntry("num_leaves", "4")
        .containsEntry("min_data_in_leaf", "17")
        .containsEntry("min_data_per_group", "17")
        .containsEntry("cat_l2", "0");
    // 200 rows: min data 200/50 = 4, raised to the floor of 5.
    assertThat(auto(Map.of()).resolvedFor(200).lightgbm(ONE_CATEGORICAL))
        .containsEntry("min_data_per_group", "5");
  }

  @Test
  void fromSixThousandTwoHundredRowsLightGbmsDefaultsStand() {
    // 6,199 rows: leaves 30, still small; 6,200 rows: leaves 31 = LightGBM's default, no
    // categorical change.
    assertThat(auto(Map.of()).resolvedFor(6_199).lightgbm(ONE_CATEGORICAL))
        .containsEntry("num_leaves", "30")
        .containsEntry("min_data_per_group", "20");
    assertThat(auto(Map.of()).resolvedFor(6_200).lightgbm(ONE_CATEGORICAL))
        .containsEntry("num_leaves", "31")
        .doesNotContainKeys("min_data_per_group", "cat_l2");
  }

  @Test
  void whatTheUserSetsWins() {
    assertThat(auto(Map.of("cat_l2", "5")).resolvedFor(880).lightgbm(ONE_CATEGORICAL))
        .containsEntry("cat_l2", "5")
        .containsEntry("min_data_per_group", "17");
    TrainingParameters explicit =
        new TrainingParameters(500, 0.05, 7, 30, 50, 42, 2, ClassWeighting.NONE, 1.0, Map.of());
    assertThat(explicit.resolvedFor(880).lightgbm(ONE_CATEGORICAL))
        .containsEntry("min_data_in_leaf", "30")
        .doesNotContainKeys("min_data_per_group", "cat_l2");
  }
}
