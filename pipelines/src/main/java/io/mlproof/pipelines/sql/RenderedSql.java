package io.mlproof.pipelines.sql;

import io.mlproof.pipelines.core.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * A query ready to run: the template it came from (for error messages), the SQL text, and the
 * tables it names through {@code {{ table('...') }}} (so a missing one is reported by name).
 */
public record RenderedSql(String template, String sql, Set<String> tables) {

  public RenderedSql {
    tables = Set.copyOf(tables);
  }

  /** SHA-256 of the SQL text, lowercase hex: identifies exactly which query produced an output. */
  public String sha256() {
    return Sha256.hex(sql.getBytes(StandardCharsets.UTF_8));
  }
}
