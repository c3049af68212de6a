package io.mlproof.pipelines.extract;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.sql.RenderedSql;
import io.mlproof.pipelines.sql.TemplateContext;
import io.mlproof.pipelines.warehouse.DryRun;
import io.mlproof.pipelines.warehouse.Warehouse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Everything an extract run decides before it reads a row: the record type, the rendered query,
 * what the warehouse said about it (columns, cost) and the bad-row threshold. Building a plan
 * performs every check that can fail on user input, so a bad option, template, file or table is an
 * exit-2 error before any pipeline starts.
 */
public record ExtractPlan(
    RecordType recordType,
    TemplateContext context,
    RenderedSql sql,
    DryRun dryRun,
    double maxBadFraction,
    int readPartitions) {

  /**
   * Parts a read is split into by default: several per core of a 2-slot worker, so that randomly
   * spread parts balance (docs/BENCHMARKS.md), few enough that the repeated base-table scans stay
   * cheap.
   */
  public static final int DEFAULT_READ_PARTITIONS = 8;

  /** Every record type's rows have it: the column reads are split by. */
  public static final String PARTITION_KEY = "user_id";

  /** Parses, renders and checks everything {@code options} ask for against {@code warehouse}. */
  public static ExtractPlan prepare(ExtractOptions options, Warehouse warehouse) {
    double maxBadFraction = options.getMaxBadFraction();
    if (!(maxBadFraction >= 0 && maxBadFraction <= 1)) {
      throw new InvalidInputException(
          "--maxBadFraction="
              + maxBadFraction
              + " is not a fraction: pass a value from 0 to 1, e.g. 0.01");
    }
    if (options.getReadPartitions() < 1) {
      throw new InvalidInputException(
          "--readPartitions="
              + options.getReadPartitions()
              + " is not a number of parts: pass 1 or more");
    }
    RecordType recordType = options.getRecordType();
    if (options.getLookbackDays() < 0) {
      throw new InvalidInputException(
          "--lookbackDays=" + options.getLookbackDays() + " is negative: pass 0 or more days");
    }
    TemplateContext context =
        TemplateContext.from(options).withLookbackDays(options.getLookbackDays());
    ExtractWindow window = ExtractWindow.of(context.dataIntervalStart(), context.dataIntervalEnd());
    if (recordType == RecordType.ENTITY_DAYS && !window.isWholeDays()) {
      throw new InvalidInputException(
          "record type entity_days needs a data interval of whole UTC days, got "
              + window.describe()
              + ": pass --dataIntervalStart/--dataIntervalEnd as YYYY-MM-DD");
    }
    RenderedSql sql = warehouse.render(warehouse.template(options.getTemplate()), context);
    DryRun dryRun = warehouse.check(sql);
    checkColumns(recordType, sql, dryRun);
    // A template's partition markers must split by the key the read is split by, on every engine.
    sql.partitionColumn(PARTITION_KEY);
    return new ExtractPlan(
        recordType, context, sql, dryRun, maxBadFraction, options.getReadPartitions());
  }

  ExtractWindow window() {
    return ExtractWindow.of(context.dataIntervalStart(), context.dataIntervalEnd());
  }

  private static void checkColumns(RecordType recordType, RenderedSql sql, DryRun dryRun) {
    List<String> missing = new ArrayList<>(recordType.parser().requiredColumns());
    missing.removeAll(dryRun.columnNames());
    if (!missing.isEmpty()) {
      throw new InvalidInputException(
          "template "
              + sql.template()
              + " returns no column "
              + String.join(", ", missing)
              + " (it returns "
              + String.join(", ", dryRun.columnNames())
              + "): record type "
              + recordType.optionName()
              + " needs "
              + String.join(", ", recordType.parser().requiredColumns()));
    }
    if (recordType == RecordType.ENTITY_DAYS) {
      dryRun.columnNames().stream()
          .filter(BadRowReason::isCountColumn)
          .forEach(EntityDayParser::reasonOf);
    }
  }

  /** What {@code --dryRun} prints. */
  public String report(String warehouseSpec) {
    StringBuilder report = new StringBuilder();
    report
        .append("extract ")
        .append(recordType.optionName())
        .append(": template ")
        .append(sql.template())
        .append(" on ")
        .append(warehouseSpec)
        .append(" (dry run: nothing read or written)\n");
    report.append("data interval: ").append(window().describe()).append('\n');
    report.append("query sha256: ").append(sql.sha256()).append('\n');
    report
        .append("columns: ")
        .append(
            dryRun.columns().stream()
                .map(c -> c.name() + " " + c.type())
                .collect(Collectors.joining(", ")))
        .append('\n');
    dryRun
        .bytesProcessed()
        .ifPresent(
            bytes ->
                report
                    .append("would scan: ")
                    .append(bytes)
                    .append(" bytes (")
                    .append(Bytes.human(bytes))
                    .append(")\n"));
    report.append("plan:\n").append(dryRun.plan().strip()).append('\n');
    report.append("sql:\n").append(sql.sql().strip()).append('\n');
    return report.toString();
  }

  /** Byte counts as people read them. */
  static final class Bytes {
    private Bytes() {}

    static String human(long bytes) {
      String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
      double value = bytes;
      int unit = 0;
      while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
      }
      return unit == 0
          ? bytes + " B"
          : String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }
  }
}
