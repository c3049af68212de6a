package io.mlproof.pipelines.sql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(sql.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
