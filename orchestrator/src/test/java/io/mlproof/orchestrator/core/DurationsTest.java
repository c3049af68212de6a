package io.mlproof.orchestrator.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void formatsAsDagFilesWriteThem() {
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(Durations.format(Duration.ofHours(2))).isEqualTo("2h");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1s500ms");
    assertThat(Durations.format(Duration.ofDays(2).plusSeconds(5))).isEqualTo("2d5s");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
  }
}
