package io.mlproof.pipelines.features;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** The hand-written accumulator coder round-trips and skips untouched cutoffs. */
class CodersTest {

  @Test
  void accumulatorRoundTripsAndSkipsUntouchedCutoffs() throws Exception {
    WindowAccumulator acc = new WindowAccumulator(3, 2);
    acc.values[0] = 5;
    acc.values[1] = 1;
    acc.signupDay[0] = 19_700;
    acc.labelSignupDay[2] = 19_700;
    acc.labelCount[2] = 4;
    WindowAccumulator.Coder coder = new WindowAccumulator.Coder();
    byte[] bytes = CoderUtils.encodeToByteArray(coder, acc);
    WindowAccumulator back = CoderUtils.decodeFromByteArray(coder, bytes);
    assertThat(back.values).containsExactly(5, 1, 0, 0, 0, 0);
    assertThat(back.signupDay)
        .containsExactly(19_700, WindowAccumulator.NONE, WindowAccumulator.NONE);
    assertThat(back.labelSignupDay)
        .containsExactly(WindowAccumulator.NONE, WindowAccumulator.NONE, 19_700);
    assertThat(back.labelCount).containsExactly(0, 0, 4);
    assertThat(back.touched(1)).isFalse();
    // 2 header varints, 3 flag bytes, then only cutoffs 0 and 2: (2 slots + signup + label count)
    // each.
    assertThat(bytes.length).isLessThan(2 + 3 + 2 * (2 + 3 + 1) + 2);
  }
}
