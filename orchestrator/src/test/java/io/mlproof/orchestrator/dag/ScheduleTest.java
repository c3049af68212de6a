package io.mlproof.orchestrator.dag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.orchestrator.core.RunDates;
import java.time.LocalDate;
import java.time.Period;
import org.junit.jupiter.api.Test;

/** Fire dates worked out on a calendar: 2024-01-01 was a Monday; 2024 is a leap year. */
class ScheduleTest {

  private static LocalDate d(String text) {
    return LocalDate.parse(text);
  }

  @Test
  void weeklyOnSundaysAsAirflowsPreset() {
    Schedule weekly = Schedule.parse("@weekly");
    assertThat(weekly.fireDates(d("2024-01-01"), d("2024-01-31")))
        .containsExactly(d("2024-01-07"), d("2024-01-14"), d("2024-01-21"), d("2024-01-28"));
    RunDates dates = weekly.datesFor(d("2024-01-14"));
    assertThat(dates.prevDs()).isEqualTo(d("2024-01-07"));
    assertThat(dates.nextDs()).isEqualTo(d("2024-01-21"));
    // A manual run on a Wednesday: the interval runs to the next Sunday.
    assertThat(weekly.datesFor(d("2024-01-10")).dataIntervalEnd()).isEqualTo(d("2024-01-14"));
    assertThat(weekly.fixedPeriod(d("2024-01-01"))).contains(Period.ofDays(7));
  }

  @Test
  void monthlyAndACronAtSixOnMondays() {
    Schedule monthly = Schedule.parse("@monthly");
    assertThat(monthly.datesFor(d("2024-03-01")).prevDs()).isEqualTo(d("2024-02-01"));
    assertThat(monthly.nextAfter(d("2024-01-31"))).isEqualTo(d("2024-02-01"));
    assertThat(monthly.fixedPeriod(d("2024-01-01"))).contains(Period.ofMonths(1));
    Schedule mondays = Schedule.parse("0 6 * * 1");
    // The fire time is 06:00, but the run of Monday 2024-01-08 is keyed by that date.
    assertThat(mondays.nextAfter(d("2024-01-01"))).isEqualTo(d("2024-01-08"));
    assertThat(mondays.previousBefore(d("2024-01-08"))).isEqualTo(d("2024-01-01"));
    assertThat(mondays.firesOn(d("2024-01-08"))).isTrue();
    assertThat(mondays.firesOn(d("2024-01-09"))).isFalse();
  }

  @Test
  void weekdaysHaveNoFixedPeriodAndSubDailyCronsAreRefused() {
    assertThat(Schedule.parse("0 0 * * 1-5").fixedPeriod(d("2024-01-01"))).isEmpty();
    assertThat(Schedule.parse("0 0 29 2 *").nextAfter(d("2024-03-01"))).isEqualTo(d("2028-02-29"));
    assertThatThrownBy(() -> Schedule.parse("0 */6 * * *"))
        .hasMessageContaining("fires more than once a day");
  }
}
