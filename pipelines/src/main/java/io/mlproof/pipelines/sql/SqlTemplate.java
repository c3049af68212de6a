package io.mlproof.pipelines.sql;

import io.mlproof.pipelines.core.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A SQL template's text and the name errors refer to it by.
 *
 * <p>{@link #load} resolves a template for one dialect. The per-dialect rule: for {@code
 * extract/events.sql} on BigQuery, {@code extract/events.bigquery.sql} is taken when it exists,
 * else {@code extract/events.sql}; the same rule applies next to a template file given by path. A
 * path to an existing file wins over a bundled template of the same name.
 */
public record SqlTemplate(String name, String text) {

  /** Where bundled templates live on the classpath. */
  public static final String BUNDLED_ROOT = "templates/";

  private static final Pattern BUNDLED_NAME =
      Pattern.compile("[A-Za-z0-9_]+(/[A-Za-z0-9_]+)*\\.sql");

  /** A template given as text, e.g. a sensor's one-line query; {@code name} is for messages. */
  public static SqlTemplate inline(String name, String text) {
    return new SqlTemplate(name, text);
  }

  /**
   * The template {@code nameOrPath} (a bundled name like {@code extract/events.sql} or a path to a
   * {@code .sql} file), preferring its {@code variant} (e.g. {@code duckdb}) when one exists.
   */
  public static SqlTemplate load(String nameOrPath, String variant) {
    if (nameOrPath == null || !nameOrPath.endsWith(".sql")) {
      throw new InvalidInputException(
          "template '"
              + SqlIdentifiers.Shown.of(nameOrPath)
              + "' is not a .sql name: pass a bundled"
              + " template such as extract/events.sql or a path to a .sql file");
    }
    Path file = Path.of(nameOrPath);
    if (Files.isRegularFile(file)) {
      Path variantFile = file.resolveSibling(variantName(file.getFileName().toString(), variant));
      Path chosen = Files.isRegularFile(variantFile) ? variantFile : file;
      return new SqlTemplate(chosen.toString(), readFile(chosen));
    }
    if (BUNDLED_NAME.matcher(nameOrPath).matches()) {
      String variantName = variantName(nameOrPath, variant);
      Optional<String> text = readBundled(variantName);
      if (text.isPresent()) {
        return new SqlTemplate(variantName, text.get());
      }
      text = readBundled(nameOrPath);
      if (text.isPresent()) {
        return new SqlTemplate(nameOrPath, text.get());
      }
    }
    throw new InvalidInputException(
        "template '"
            + SqlIdentifiers.Shown.of(nameOrPath)
            + "' not found: pass a bundled template"
            + " (extract/events.sql, extract/payments.sql, extract/users.sql,"
            + " extract/entity_days.sql) or a path to an existing .sql file");
  }

  /** {@code dir/name.sql} with variant {@code duckdb} is {@code dir/name.duckdb.sql}. */
  static String variantName(String name, String variant) {
    String stem = name.substring(0, name.length() - ".sql".length());
    return stem + "." + variant + ".sql";
  }

  private static Optional<String> readBundled(String name) {
    ClassLoader loader = SqlTemplate.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(BUNDLED_ROOT + name)) {
      return in == null
          ? Optional.empty()
          : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read bundled template " + name, e);
    }
  }

  private static String readFile(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot read template "
              + file
              + " ("
              + e.getMessage()
              + "): check the file and its permissions",
          e);
    }
  }
}
