package io.mlproof.orchestrator.dag;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  @Test
  void exponentialBackoffDoublesTheDelayAfterEachFailedTryUpToTheCap() {
    RetryPolicy policy =
        new RetryPolicy(
            5, Duration.ofSeconds(10), true, Optional.of(Duration.ofSeconds(60)), Optional.empty());
    assertThat(policy.delayAfter(1)).isEqualTo(Duration.ofSeconds(10));
    assertThat(policy.delayAfter(2)).isEqualTo(Duration.ofSeconds(20));
    assertThat(policy.delayAfter(3)).isEqualTo(Duration.ofSeconds(40));
    assertThat(policy.delayAfter(4)).isEqualTo(Duration.ofSeconds(60));
    assertThat(policy.delayAfter(40)).isEqualTo(Duration.ofSeconds(60));
    assertThat(policy.maxTries()).isEqualTo(6);
  }

  @Test
  void withoutBackoffTheDelayIsConstant() {
    RetryPolicy policy =
        new RetryPolicy(2, Duration.ofMinutes(5), false, Optional.empty(), Optional.empty());
    assertThat(policy.delayAfter(1)).isEqualTo(Duration.ofMinutes(5));
    assertThat(policy.delayAfter(3)).isEqualTo(Duration.ofMinutes(5));
  }
}
