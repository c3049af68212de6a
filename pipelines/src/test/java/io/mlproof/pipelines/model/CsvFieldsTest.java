package io.mlproof.pipelines.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 4180 fields, worked out by hand: quoted only when they hold , " CR or LF. */
class CsvFieldsTest {

  @Test
  void plainFieldsStayAsTheyAre() {
    assertThat(CsvFields.field("")).isEqualTo("");
    assertThat(CsvFields.field("user_42")).isEqualTo("user_42");
    assertThat(CsvFields.field("ünï code\t;'x'\u2028")).isEqualTo("ünï code\t;'x'\u2028");
  }

  @Test
  void commasQuotesAndLineBreaksAreQuotedWithQuotesDoubled() {
    assertThat(CsvFields.field("a,b")).isEqualTo("\"a,b\"");
    assertThat(CsvFields.field("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(CsvFields.field("a\rb")).isEqualTo("\"a\rb\"");
    assertThat(CsvFields.field("a\nb")).isEqualTo("\"a\nb\"");
    assertThat(CsvFields.field(",")).isEqualTo("\",\"");
    assertThat(CsvFields.field("\"")).isEqualTo("\"\"\"\"");
  }
}
