package io.mlproof.pipelines.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;

class RebundleTest {
  final transient TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(true);

  @Test
  void keepsEveryElementIncludingRepeatedKeys() {
    List<KV<String, Integer>> input = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      input.add(KV.of("k" + i, i));
    }
    input.add(KV.of("k7", -7)); // same key twice, and the same element twice
    input.add(KV.of("k7", -7));
    PCollection<KV<String, Integer>> out =
        p.apply(Create.of(input).withCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of())))
            .apply(Rebundle.into(4));
    PAssert.that(out).containsInAnyOrder(input);
    p.run().waitUntilFinish();
  }

  /**
   * The point of the transform: after a per-key combine, the next step runs per group, not per key.
   */
  @Test
  void stepsAfterItRunOncePerGroupOnTheDirectRunner() {
    List<KV<String, Integer>> input = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      input.add(KV.of("k" + i, i));
      input.add(KV.of("k" + i, 1));
    }
    PCollection<KV<String, Integer>> sums =
        p.apply(Create.of(input).withCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of())))
            .apply(Sum.integersPerKey());
    sums.apply("PerKey", ParDo.of(new CountBundlesFn("bundles_per_key")));
    PCollection<KV<String, Integer>> rebundled = sums.apply(Rebundle.into(4));
    rebundled.apply("PerGroup", ParDo.of(new CountBundlesFn("bundles_per_group")));
    PAssert.that(rebundled)
        .satisfies(
            kvs -> {
              int n = 0;
              for (KV<String, Integer> kv : kvs) {
                int i = Integer.parseInt(kv.getKey().substring(1));
                assertThat(kv.getValue()).isEqualTo(i + 1);
                n++;
              }
              assertThat(n).isEqualTo(100);
              return null;
            });
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertThat(counter(result, "bundles_per_key")).isEqualTo(100);
    assertThat(counter(result, "bundles_per_group")).isBetween(1L, 4L);
  }

  @Test
  void refusesNoGroups() {
    assertThatThrownBy(() -> Rebundle.into(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("groups must be positive");
  }

  private static long counter(PipelineResult result, String name) {
    long sum = 0;
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(RebundleTest.class, name))
                    .build())
            .getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }

  private static final class CountBundlesFn extends DoFn<KV<String, Integer>, Void> {
    private final Counter bundles;

    CountBundlesFn(String name) {
      bundles = Metrics.counter(RebundleTest.class, name);
    }

    @StartBundle
    public void start() {
      bundles.inc();
    }

    @ProcessElement
    public void process(@Element KV<String, Integer> element) {}
  }
}
