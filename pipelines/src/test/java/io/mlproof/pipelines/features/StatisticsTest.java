package io.mlproof.pipelines.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.Example;
import io.mlproof.proto.v1.FeatureStatistics;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.junit.jupiter.api.Test;

class StatisticsTest {
  final transient TestPipeline p = Histories.pipeline();

  /**
   * 11 examples: x = 0..10 (mean 5, population stddev sqrt(10), deciles 0..10), y present only on
   * two (4 and 8), z always missing; 3 positives among 10 labelled examples; two cutoffs.
   */
  @Test
  void countsMissingMomentsDecilesAndLabelRate() {
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i <= 10; i++) {
      examples.add(
          Example.newBuilder()
              .setEntityId("e" + i)
              .setCutoffDay(i < 5 ? 100 : 107)
              .setHasLabel(i < 10)
              .setLabel(i < 3)
              .addFeatures(i)
              .addFeatures(i == 2 ? 4 : i == 6 ? 8 : Double.NaN)
              .addFeatures(Double.NaN)
              .build());
    }
    StatisticsFn fn = new StatisticsFn(List.of("x", "y", "z"), "h");
    PAssert.thatSingleton(
            p.apply(Create.of(examples).withCoder(ProtoCoder.of(Example.class)))
                .apply(
                    Reshuffle.viaRandomKey()) // many partial accumulators, merged through the coder
                .apply(org.apache.beam.sdk.transforms.Combine.globally(fn).withFanout(3)))
        .satisfies(
            stats -> {
              check(stats);
              return null;
            });
    p.run().waitUntilFinish();
  }

  private static void check(DatasetStatistics stats) {
    assertThat(stats.getFeatureSpecHash()).isEqualTo("h");
    assertThat(stats.getExamples()).isEqualTo(11);
    assertThat(stats.getLabeledExamples()).isEqualTo(10);
    assertThat(stats.getPositives()).isEqualTo(3);
    assertThat(stats.getLabelRate()).isEqualTo(0.3);
    assertThat(stats.getCutoffDaysList()).containsExactly(100, 107);
    FeatureStatistics x = stats.getFeatures(0);
    assertThat(x.getFeature()).isEqualTo("x");
    assertThat(x.getCount()).isEqualTo(11);
    assertThat(x.getMissing()).isZero();
    assertThat(x.getMin()).isEqualTo(0);
    assertThat(x.getMax()).isEqualTo(10);
    assertThat(x.getMean()).isCloseTo(5, within(1e-12));
    assertThat(x.getStddev()).isCloseTo(Math.sqrt(10), within(1e-12)); // sum of (i-5)^2 = 110, / 11
    assertThat(x.getQuantilesList())
        .containsExactly(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0);
    FeatureStatistics y = stats.getFeatures(1);
    assertThat(y.getCount()).isEqualTo(2);
    assertThat(y.getMissing()).isEqualTo(9);
    assertThat(y.getMean()).isEqualTo(6);
    assertThat(y.getStddev()).isEqualTo(2);
    FeatureStatistics z = stats.getFeatures(2);
    assertThat(z.getCount()).isZero();
    assertThat(z.getMissing()).isEqualTo(11);
    assertThat(z.getQuantilesList()).isEmpty();
  }
}
