package io.mlproof.pipelines.ab;

import io.mlproof.pipelines.warehouse.TableWrite;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.pipelines.warehouse.WarehouseTable;
import io.mlproof.pipelines.warehouse.WarehouseTable.Column;
import io.mlproof.pipelines.warehouse.WarehouseTable.ColumnType;
import io.mlproof.proto.v1.Assignment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The assignment and target-list tables in the warehouse: the experiment's rows replaced, so a
 * re-run never leaves two assignments. On DuckDB one table each, the rows replaced in one
 * transaction; on BigQuery one table per experiment, {@code ab_assignments__<experiment id>}
 * replaced by a load job (read them all as {@code ab_assignments__*}; BigQueryDestination says
 * why).
 */
final class AbTables {
  static final WarehouseTable ASSIGNMENTS =
      new WarehouseTable(
          "assignments",
          "assignments",
          List.of(
              Column.required("experiment_id", ColumnType.STRING),
              Column.required("entity_id", ColumnType.STRING),
              Column.required("arm", ColumnType.STRING),
              Column.required("bucket", ColumnType.INT32),
              Column.required("flagged", ColumnType.BOOLEAN),
              Column.required("targeted", ColumnType.BOOLEAN),
              Column.nullable("score", ColumnType.DOUBLE),
              Column.nullable("rank", ColumnType.INT64)),
          "experiment_id");
  static final WarehouseTable TARGETS =
      new WarehouseTable(
          "targets",
          "targets",
          List.of(
              Column.required("experiment_id", ColumnType.STRING),
              Column.required("entity_id", ColumnType.STRING),
              Column.required("arm", ColumnType.STRING),
              Column.required("score", ColumnType.DOUBLE),
              Column.required("rank", ColumnType.INT64)),
          "experiment_id");

  private final Warehouse warehouse;
  private final String assignmentsTable;
  private final String targetsTable;

  private AbTables(Warehouse warehouse, String assignmentsTable, String targetsTable) {
    this.warehouse = warehouse;
    this.assignmentsTable = assignmentsTable;
    this.targetsTable = targetsTable;
  }

  /** The tables to write (an empty name skips one), checked before any work. */
  static AbTables check(Warehouse warehouse, String assignmentsTable, String targetsTable) {
    if (!assignmentsTable.isEmpty()) {
      warehouse.checkWritable(ASSIGNMENTS.named(assignmentsTable), "--assignmentsTable");
    }
    if (!targetsTable.isEmpty()) {
      warehouse.checkWritable(TARGETS.named(targetsTable), "--targetsTable");
    }
    return new AbTables(warehouse, assignmentsTable, targetsTable);
  }

  /** Replaces the experiment's rows of both tables (either may be empty = skipped). */
  void replace(String experimentId, List<Assignment> assignments, PipelineOptions options) {
    List<TableWrite> writes = new ArrayList<>();
    if (!assignmentsTable.isEmpty()) {
      List<List<Object>> rows = new ArrayList<>();
      for (Assignment a : assignments) {
        boolean scored = !Double.isNaN(a.getScore());
        rows.add(
            Arrays.asList(
                a.getExperimentId(),
                a.getEntityId(),
                a.getArm(),
                a.getBucket(),
                a.getFlagged(),
                a.getTargeted(),
                scored ? a.getScore() : null,
                scored ? a.getRank() : null));
      }
      writes.add(new TableWrite(ASSIGNMENTS.named(assignmentsTable), experimentId, rows));
    }
    if (!targetsTable.isEmpty()) {
      List<List<Object>> rows = new ArrayList<>();
      for (Assignment a : assignments) {
        if (a.getTargeted()) {
          rows.add(
              List.of(a.getExperimentId(), a.getEntityId(), a.getArm(), a.getScore(), a.getRank()));
        }
      }
      writes.add(new TableWrite(TARGETS.named(targetsTable), experimentId, rows));
    }
    if (!writes.isEmpty()) {
      warehouse.replaceRows(writes, options);
    }
  }
}
