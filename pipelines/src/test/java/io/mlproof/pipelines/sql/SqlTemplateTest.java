package io.mlproof.pipelines.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-dialect rule: {@code <name>.<dialect>.sql} wins over {@code <name>.sql} when present. */
class SqlTemplateTest {

  @TempDir Path tmp;

  @Test
  void bundledTemplateVariantIsPreferredForItsDialect() {
    // src/test/resources/templates/test/variant{.sql,.duckdb.sql}
    SqlTemplate duck = SqlTemplate.load("test/variant.sql", "duckdb");
    SqlTemplate bigquery = SqlTemplate.load("test/variant.sql", "bigquery");
    assertThat(duck.name()).isEqualTo("test/variant.duckdb.sql");
    assertThat(duck.text()).isEqualTo("SELECT 'duckdb variant'\n");
    assertThat(bigquery.name()).isEqualTo("test/variant.sql");
    assertThat(bigquery.text()).isEqualTo("SELECT 'shared'\n");
  }

  @Test
  void fileTemplateVariantIsPreferredForItsDialect() throws Exception {
    Path shared = Files.writeString(tmp.resolve("q.sql"), "SELECT 1");
    Files.writeString(tmp.resolve("q.bigquery.sql"), "SELECT 2");
    assertThat(SqlTemplate.load(shared.toString(), "bigquery").text()).isEqualTo("SELECT 2");
    assertThat(SqlTemplate.load(shared.toString(), "bigquery").name())
        .isEqualTo(tmp.resolve("q.bigquery.sql").toString());
    assertThat(SqlTemplate.load(shared.toString(), "duckdb").text()).isEqualTo("SELECT 1");
  }

  @Test
  void shippedTemplatesHaveNoVariants() {
    for (String name : new String[] {"events", "payments", "users", "entity_days"}) {
      for (String dialect : new String[] {"duckdb", "bigquery"}) {
        assertThat(SqlTemplate.load("extract/" + name + ".sql", dialect).name())
            .isEqualTo("extract/" + name + ".sql");
      }
    }
  }

  @Test
  void unknownTemplatesAreOneLineErrors() {
    assertThatThrownBy(() -> SqlTemplate.load("extract/orders.sql", "duckdb"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template 'extract/orders.sql' not found: pass a bundled template (extract/events.sql,"
                + " extract/payments.sql, extract/users.sql, extract/entity_days.sql) or a path to an existing .sql file");
    assertThatThrownBy(() -> SqlTemplate.load("extract/events", "duckdb"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template 'extract/events' is not a .sql name: pass a bundled template such as"
                + " extract/events.sql or a path to a .sql file");
    assertThatThrownBy(() -> SqlTemplate.load("../../etc/passwd.sql", "duckdb"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not found");
  }
}
