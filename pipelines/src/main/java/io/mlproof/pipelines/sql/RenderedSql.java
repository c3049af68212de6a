package io.mlproof.pipelines.sql;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A query ready to run: the template it came from (for error messages), the SQL text, the tables it
 * names through {@code {{ table('...') }}} (so a missing one is reported by name), and where its
 * {@code {{ partition('<column>') }}} markers stand.
 *
 * <p>{@link #sql} is the whole query: every marker renders as {@link #WHOLE}, so a dry run, an
 * unpartitioned read, BigQuery and the query's SHA-256 all see one query whatever a read is split
 * into. A partitioned read asks for {@link #withPartitionFilter}, which puts its predicate where
 * each marker stands.
 *
 * @param partitionMarkers the markers in the order they appear in {@link #sql}
 */
public record RenderedSql(
    String template, String sql, Set<String> tables, List<PartitionMarker> partitionMarkers) {

  /** What a marker renders as in the whole query: a predicate every row passes. */
  public static final String WHOLE = "TRUE";

  /**
   * One {@code {{ partition('<column>') }}}: the checked column it filters by and the offset in
   * {@link #sql} where its {@link #WHOLE} stands.
   */
  public record PartitionMarker(String column, int offset) {
    public PartitionMarker {
      SqlIdentifiers.checkName(column, "partition column");
    }
  }

  public RenderedSql {
    tables = Set.copyOf(tables);
    partitionMarkers = List.copyOf(partitionMarkers);
    int after = 0;
    for (PartitionMarker marker : partitionMarkers) {
      if (marker.offset() < after || !sql.startsWith(WHOLE, marker.offset())) {
        throw new IllegalArgumentException(
            "partition marker at offset " + marker.offset() + " does not stand on " + WHOLE);
      }
      after = marker.offset() + WHOLE.length();
    }
  }

  /** A query without partition markers (e.g. an option's SQL, which is not a template). */
  public RenderedSql(String template, String sql, Set<String> tables) {
    this(template, sql, tables, List.of());
  }

  /** SHA-256 of the SQL text, lowercase hex: identifies exactly which query produced an output. */
  public String sha256() {
    return Sha256.hex(sql.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The column the template's markers filter by, or empty when it has none. Fails (exit 2) when the
   * markers name different columns or another column than {@code key}, the column the read is split
   * by: a part must hold whole output rows, so every scan must be split by the output's key.
   */
  public Optional<String> partitionColumn(String key) {
    Set<String> columns = new TreeSet<>();
    partitionMarkers.forEach(marker -> columns.add(marker.column()));
    if (columns.isEmpty()) {
      return Optional.empty();
    }
    if (!columns.equals(Set.of(key))) {
      throw new InvalidInputException(
          "template "
              + template
              + " marks its scans with partition("
              + String.join("), partition(", columns.stream().map(c -> "'" + c + "'").toList())
              + ") but the read is split by "
              + key
              + ": write {{ partition('"
              + key
              + "') }} in every scan's WHERE, the key of the rows it returns");
    }
    return Optional.of(key);
  }

  /**
   * {@link #sql} with {@code predicate} in place of every marker. The predicate is SQL text built
   * by a warehouse from a checked column name and numbers only, never from user text.
   */
  public String withPartitionFilter(String predicate) {
    StringBuilder filtered = new StringBuilder(sql.length() + partitionMarkers.size() * 32);
    int from = 0;
    for (PartitionMarker marker : partitionMarkers) {
      filtered.append(sql, from, marker.offset()).append(predicate);
      from = marker.offset() + WHOLE.length();
    }
    return filtered.append(sql, from, sql.length()).toString();
  }
}
