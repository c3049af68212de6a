package io.mlproof.pipelines.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class DemoSpecTest {

  private static final LocalDate START = LocalDate.of(2024, 1, 1);

  @Test
  void defaultsAreTheDocumentedDemo() {
    assertThat(DemoSpec.defaults()).isEqualTo(new DemoSpec(10_000, 180, START, 42, 0.0005));
  }

  @Test
  void smallIsAThousandUsersOverOneHundredTwentyDays() {
    assertThat(DemoSpec.small(7)).isEqualTo(new DemoSpec(1_000, 120, START, 7, 0.0005));
  }

  @Test
  void withersChangeOneValue() {
    DemoSpec spec = DemoSpec.defaults();
    assertThat(spec.withUsers(5)).isEqualTo(new DemoSpec(5, 180, START, 42, 0.0005));
    assertThat(spec.withDays(5)).isEqualTo(new DemoSpec(10_000, 5, START, 42, 0.0005));
    assertThat(spec.withStart(LocalDate.of(2030, 2, 3)))
        .isEqualTo(new DemoSpec(10_000, 180, LocalDate.of(2030, 2, 3), 42, 0.0005));
    assertThat(spec.withSeed(-1)).isEqualTo(new DemoSpec(10_000, 180, START, -1, 0.0005));
    assertThat(spec.withBadRowRate(0)).isEqualTo(new DemoSpec(10_000, 180, START, 42, 0));
    assertThat(spec.end()).isEqualTo(LocalDate.of(2024, 6, 29));
  }

  @Test
  void acceptsTheBounds() {
    new DemoSpec(1, 1, LocalDate.of(2000, 1, 1), Long.MIN_VALUE, 0);
    new DemoSpec(10_000_000, 3_650, LocalDate.of(2099, 12, 31), Long.MAX_VALUE, 0.1);
  }

  @Test
  void rejectsUsersOutOfRange() {
    assertThatThrownBy(() -> DemoSpec.defaults().withUsers(0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--users must be between 1 and 10000000, got 0");
    assertThatThrownBy(() -> DemoSpec.defaults().withUsers(10_000_001))
        .hasMessage("--users must be between 1 and 10000000, got 10000001");
  }

  @Test
  void rejectsDaysOutOfRange() {
    assertThatThrownBy(() -> DemoSpec.defaults().withDays(0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--days must be between 1 and 3650, got 0");
    assertThatThrownBy(() -> DemoSpec.defaults().withDays(3_651))
        .hasMessage("--days must be between 1 and 3650, got 3651");
  }

  @Test
  void rejectsStartOutOfRange() {
    assertThatThrownBy(() -> DemoSpec.defaults().withStart(LocalDate.of(1999, 12, 31)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--start must be between 2000-01-01 and 2099-12-31, got 1999-12-31");
    assertThatThrownBy(() -> DemoSpec.defaults().withStart(LocalDate.of(2100, 1, 1)))
        .hasMessage("--start must be between 2000-01-01 and 2099-12-31, got 2100-01-01");
  }

  @Test
  void rejectsBadRowRateOutOfRange() {
    assertThatThrownBy(() -> DemoSpec.defaults().withBadRowRate(-0.001))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--bad-row-rate must be between 0 and 0.1, got -0.001");
    assertThatThrownBy(() -> DemoSpec.defaults().withBadRowRate(0.5))
        .hasMessage("--bad-row-rate must be between 0 and 0.1, got 0.5");
    assertThatThrownBy(() -> DemoSpec.defaults().withBadRowRate(Double.NaN))
        .hasMessage("--bad-row-rate must be between 0 and 0.1, got NaN");
  }
}
