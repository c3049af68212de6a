package io.mlproof.pipelines.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import java.time.LocalDate;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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

  static Stream<Arguments> invalidValues() {
    DemoSpec spec = DemoSpec.defaults();
    return Stream.of(
        rejected(() -> spec.withUsers(0), "--users must be between 1 and 10000000, got 0"),
        rejected(
            () -> spec.withUsers(10_000_001),
            "--users must be between 1 and 10000000, got 10000001"),
        rejected(() -> spec.withDays(0), "--days must be between 1 and 3650, got 0"),
        rejected(() -> spec.withDays(3_651), "--days must be between 1 and 3650, got 3651"),
        rejected(
            () -> spec.withStart(LocalDate.of(1999, 12, 31)),
            "--start must be between 2000-01-01 and 2099-12-31, got 1999-12-31"),
        rejected(
            () -> spec.withStart(LocalDate.of(2100, 1, 1)),
            "--start must be between 2000-01-01 and 2099-12-31, got 2100-01-01"),
        rejected(
            () -> spec.withBadRowRate(-0.001),
            "--bad-row-rate must be between 0 and 0.1, got -0.001"),
        rejected(
            () -> spec.withBadRowRate(0.5), "--bad-row-rate must be between 0 and 0.1, got 0.5"),
        rejected(
            () -> spec.withBadRowRate(Double.NaN),
            "--bad-row-rate must be between 0 and 0.1, got NaN"));
  }

  private static Arguments rejected(ThrowingCallable construction, String message) {
    return Arguments.of(construction, message);
  }

  @ParameterizedTest
  @MethodSource("invalidValues")
  void rejectsValuesOutOfRangeNamingTheOption(ThrowingCallable construction, String message) {
    assertThatThrownBy(construction).isInstanceOf(InvalidInputException.class).hasMessage(message);
  }
}
