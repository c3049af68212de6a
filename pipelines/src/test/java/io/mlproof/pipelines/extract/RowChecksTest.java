package io.mlproof.pipelines.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.warehouse.ResultRow;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** The id checks: the same rows rejected, for the same reason, with or without the id's text. */
class RowChecksTest {

  private static ResultRow ids(Object numeric, Object text) {
    return ResultRow.builder().set("event_id", numeric).set("user_id", text).build();
  }

  @Test
  void idsReadAsTextOrOnlyChecked() throws BadRow {
    ResultRow row = ids(42L, "u-7");
    assertThat(RowChecks.id(row, "event_id")).isEqualTo("42");
    assertThat(RowChecks.id(row, "user_id")).isEqualTo("u-7");
    assertThat(RowChecks.checkId(row, "event_id")).isEqualTo(42L);
    assertThat(RowChecks.checkId(row, "user_id")).isEqualTo("u-7");
    // Any id type fits: a date's text is never blank.
    assertThat(RowChecks.id(ids(LocalDate.of(2024, 1, 7), "x"), "event_id"))
        .isEqualTo("2024-01-07");
  }

  @Test
  void nullAndBlankIdsAreNullIdBadRowsEitherWay() {
    ResultRow row = ids(null, " \t");
    for (String column : new String[] {"event_id", "user_id"}) {
      String why = column + (column.equals("event_id") ? " is NULL" : " is blank");
      assertThatThrownBy(() -> RowChecks.id(row, column))
          .isInstanceOfSatisfying(
              BadRow.class, bad -> assertThat(bad.reason).isEqualTo(BadRowReason.NULL_ID))
          .hasMessage(why);
      assertThatThrownBy(() -> RowChecks.checkId(row, column))
          .isInstanceOfSatisfying(
              BadRow.class, bad -> assertThat(bad.reason).isEqualTo(BadRowReason.NULL_ID))
          .hasMessage(why);
    }
  }
}
