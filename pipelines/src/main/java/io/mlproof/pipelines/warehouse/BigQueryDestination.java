package io.mlproof.pipelines.warehouse;

import com.google.api.services.bigquery.model.TimePartitioning;
import io.mlproof.pipelines.core.InvalidInputException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * Where one {@link TableWrite} lands in BigQuery, replaced whole by a WRITE_TRUNCATE load (BigQuery
 * has no atomic "delete these rows, load those"): a DATE key replaces its day's partition ({@code
 * table$YYYYMMDD} of a table partitioned by that column); a STRING key (an A/B experiment's
 * assignments and targets) replaces a table of its own, {@code table__<key>}, one per key value,
 * which BigQuery reads together as the wildcard table {@code table__*} with the key in {@code
 * _TABLE_SUFFIX}.
 *
 * @param tableSpec {@code project:dataset.table[$partition]} for {@code BigQueryIO.Write.to}
 * @param partitioning the day partitioning the table is created with, or null for none
 */
record BigQueryDestination(String tableSpec, TimePartitioning partitioning) {
  /** Table ids take letters, digits and underscores; a key value becomes part of one. */
  private static final Pattern KEY_SUFFIX = Pattern.compile("[A-Za-z0-9_]{1,128}");

  static final String KEY_SEPARATOR = "__";

  /** Null when BigQuery can replace rows of {@code table}'s key type; else why not. */
  static String unsupported(WarehouseTable table) {
    return switch (table.key().type()) {
      case DATE, STRING -> null;
      default ->
          "mlproof replaces a day partition (DATE key) or a table per key value (STRING key) in BigQuery,"
              + " and a "
              + table.kind()
              + " table is keyed by "
              + table.key().name()
              + " ("
              + table.key().type()
              + ")";
    };
  }

  static BigQueryDestination of(String project, String dataset, TableWrite write) {
    WarehouseTable table = write.table();
    String base = project + ":" + dataset + "." + table.name();
    if (write.key() instanceof LocalDate day) {
      return new BigQueryDestination(
          base + "$" + day.format(DateTimeFormatter.BASIC_ISO_DATE),
          new TimePartitioning().setType("DAY").setField(table.keyColumn()));
    }
    String key = (String) write.key();
    if (!KEY_SUFFIX.matcher(key).matches()) {
      throw new InvalidInputException(
          table.key().name()
              + " '"
              + key
              + "' cannot name a BigQuery table ("
              + table.name()
              + KEY_SEPARATOR
              + "<"
              + table.key().name()
              + ">): use 1-128 letters, digits and _");
    }
    return new BigQueryDestination(base + KEY_SEPARATOR + key, null);
  }
}
