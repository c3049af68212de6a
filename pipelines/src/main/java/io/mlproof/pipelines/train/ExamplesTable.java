package io.mlproof.pipelines.train;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.evaluate.IndexSort;
import io.mlproof.pipelines.features.FeatureSpecs;
import io.mlproof.pipelines.model.ExampleBuffer;
import io.mlproof.pipelines.model.SplitPlanner;
import io.mlproof.pipelines.model.TrainingData;
import io.mlproof.pipelines.warehouse.QueryTable;
import io.mlproof.proto.v1.Feature;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.FeatureType;
import io.mlproof.proto.v1.LabelSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Bring your own training table: any query result with one row per entity and a label column
 * becomes examples. Numeric columns are features as they are; a text column whose values are all
 * numbers (or missing) is numeric too (CSV loaders type a column with "NA" as text); other text
 * columns are categorical, coded by their sorted distinct values (the vocabulary goes into the
 * spec, so scoring codes the same way). NULL, empty and "NA" are missing.
 */
public final class ExamplesTable {
  private static final Set<String> MISSING = Set.of("", "NA");

  /** Which rows to train on and which to evaluate on. */
  public record Columns(String id, String label, String positiveLabel, String split) {}

  private ExamplesTable() {}

  /**
   * The table as examples, split three ways by {@link SplitPlanner}: by the split column when there
   * is one, else stratified by {@code testFraction} and {@code validationFraction}.
   */
  public static TrainingData load(
      QueryTable table, Columns columns, double testFraction, double validationFraction, int seed) {
    if (table.rows() == 0) {
      throw new InvalidInputException("the examples query returned no rows: check --examplesQuery");
    }
    QueryTable.Column idColumn = require(table, columns.id(), "--idColumn");
    QueryTable.Column labelColumn = require(table, columns.label(), "--labelColumn");
    QueryTable.Column splitColumn =
        columns.split().isEmpty() ? null : require(table, columns.split(), "--splitColumn");
    int n = table.rows();
    String[] ids = new String[n];
    boolean[] labels = new boolean[n];
    Map<String, Integer> labelValues = new TreeMap<>();
    String positive = positiveValue(labelColumn, columns);
    for (int r = 0; r < n; r++) {
      ids[r] = idColumn.text(r);
      if (ids[r] == null) {
        throw new InvalidInputException(
            "id column " + columns.id() + " is NULL in row " + (r + 1) + ": every row needs an id");
      }
      String label = labelColumn.text(r);
      if (isMissing(label)) {
        throw new InvalidInputException(
            "label column "
                + columns.label()
                + " is missing (NULL, empty or NA) for id "
                + ids[r]
                + ": every training row needs a label; filter such rows out in the query");
      }
      labelValues.merge(label, 1, Integer::sum);
      labels[r] = label.equals(positive);
    }
    if (!labelValues.containsKey(positive) || labelValues.size() == 1) {
      throw new InvalidInputException(
          "label column "
              + columns.label()
              + " ("
              + labelColumn.type()
              + ") is constant for --positiveLabel="
              + columns.positiveLabel()
              + " (values and counts: "
              + labelValues
              + "): it needs both positive"
              + " and negative rows; check --positiveLabel and the query");
    }
    int[] order = IndexSort.sorted(n, (a, b) -> ids[a].compareTo(ids[b]));
    for (int i = 1; i < n; i++) {
      if (ids[order[i]].equals(ids[order[i - 1]])) {
        throw new InvalidInputException(
            "id "
                + ids[order[i]]
                + " appears more than once in column "
                + columns.id()
                + ": the examples query must return one row per entity");
      }
    }

    Set<String> reserved =
        new java.util.HashSet<>(List.of(columns.id(), columns.label(), columns.split()));
    List<QueryTable.Column> featureColumns =
        table.columns().stream().filter(c -> !reserved.contains(c.name())).toList();
    if (featureColumns.isEmpty()) {
      throw new InvalidInputException(
          "the examples query returns no feature columns besides id, label and split");
    }
    FeatureSpec.Builder spec =
        FeatureSpec.newBuilder()
            .setName(columns.label().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_"))
            .setVersion(1)
            .setLabel(
                LabelSpec.newBuilder()
                    .setName(columns.label())
                    .setDefinition(LabelSpec.Definition.COLUMN_EQUALS)
                    .setPositiveValue(columns.positiveLabel()));
    SplitPlanner.TablePlan plan =
        splitColumn == null
            ? SplitPlanner.stratifiedPlan(order, labels, testFraction, validationFraction, seed)
            : SplitPlanner.columnPlan(
                order,
                texts(splitColumn, n),
                labels,
                ids,
                columns.split(),
                validationFraction,
                seed);
    // The encoding is learned without the test rows: they are only read to be measured.
    boolean[] learnFrom = new boolean[n];
    for (int r = 0; r < n; r++) {
      learnFrom[r] = !plan.isTest(r);
    }
    List<double[]> encoded = new ArrayList<>();
    for (QueryTable.Column c : featureColumns) {
      Feature.Builder feature =
          Feature.newBuilder().setName(c.name()).setDescription("from the examples query");
      encoded.add(encode(c, n, feature, learnFrom));
      spec.addFeatures(feature);
    }
    FeatureSpec featureSpec = FeatureSpecs.checkColumns(spec.build(), "the examples query");
    ExampleBuffer buffer = new ExampleBuffer(featureSpec, FeatureSpecs.hash(featureSpec), n);
    double[] row = new double[encoded.size()];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < row.length; c++) {
        row[c] = encoded.get(c)[r];
      }
      buffer.add(ids[r], 0, true, labels[r], row);
    }

    return SplitPlanner.byPlan(buffer, plan);
  }

  private static String[] texts(QueryTable.Column column, int n) {
    String[] out = new String[n];
    for (int r = 0; r < n; r++) {
      out[r] = column.text(r);
    }
    return out;
  }

  /**
   * The label text that counts as positive: {@code --positiveLabel} as given for a text or numeric
   * column; for a BOOLEAN column, true for {@code true}, {@code yes} or {@code 1} and false for
   * {@code false}, {@code no} or {@code 0}, in any case.
   */
  static String positiveValue(QueryTable.Column label, Columns columns) {
    if (!(label instanceof QueryTable.BooleanColumn)) {
      return columns.positiveLabel();
    }
    String given = columns.positiveLabel().trim().toLowerCase(Locale.ROOT);
    if (Set.of("true", "yes", "1").contains(given)) {
      return "true";
    }
    if (Set.of("false", "no", "0").contains(given)) {
      return "false";
    }
    throw new InvalidInputException(
        "--positiveLabel="
            + columns.positiveLabel()
            + " is not a value of the BOOLEAN"
            + " label column "
            + columns.label()
            + ": use true (or yes, 1) or false (or no, 0)");
  }

  static boolean isMissing(String value) {
    return value == null || MISSING.contains(value.trim());
  }

  /**
   * Codes a column as doubles and fills in its spec entry. Whether text is numeric, and the
   * categorical vocabulary, are learned from the {@code learnFrom} rows only; in the other rows a
   * value that is not a number, or not in the vocabulary, is missing (as at scoring time).
   */
  static double[] encode(
      QueryTable.Column column, int n, Feature.Builder feature, boolean[] learnFrom) {
    if (column instanceof QueryTable.NumericColumn numeric) {
      feature.setType(FeatureType.NUMERIC);
      return numeric.values();
    }
    if (column instanceof QueryTable.BooleanColumn bool) {
      feature.setType(FeatureType.NUMERIC);
      return bool.values();
    }
    String[] text = ((QueryTable.TextColumn) column).values();
    double[] numbers = parseAll(text, learnFrom);
    if (numbers != null) {
      feature.setType(FeatureType.NUMERIC);
      return numbers;
    }
    TreeSet<String> distinct = new TreeSet<>();
    for (int r = 0; r < text.length; r++) {
      if (learnFrom[r] && !isMissing(text[r])) {
        distinct.add(text[r]);
      }
    }
    feature.setType(FeatureType.CATEGORICAL).addAllVocabulary(distinct);
    return codes(text, List.copyOf(distinct));
  }

  /** Codes text by its index in {@code vocabulary}; missing or unknown values are NaN. */
  public static double[] codes(String[] text, List<String> vocabulary) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < vocabulary.size(); i++) {
      index.put(vocabulary.get(i), i);
    }
    double[] out = new double[text.length];
    for (int r = 0; r < text.length; r++) {
      Integer code = isMissing(text[r]) ? null : index.get(text[r]);
      out[r] = code == null ? Double.NaN : code;
    }
    return out;
  }

  /**
   * All values as numbers (missing = NaN), or null if some {@code learnFrom} value is not a finite
   * number (or none is a number); other rows' non-numbers are missing.
   */
  static double[] parseAll(String[] text, boolean[] learnFrom) {
    double[] out = new double[text.length];
    boolean any = false;
    for (int r = 0; r < text.length; r++) {
      out[r] = isMissing(text[r]) ? Double.NaN : number(text[r]);
      if (learnFrom[r] && !isMissing(text[r])) {
        if (!Double.isFinite(out[r])) {
          return null;
        }
        any = true;
      }
      if (!Double.isFinite(out[r])) {
        out[r] = Double.NaN;
      }
    }
    return any ? out : null;
  }

  /** The text as a number; NaN when it is not one. */
  private static double number(String text) {
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static QueryTable.Column require(QueryTable table, String name, String option) {
    if (name.isEmpty()) {
      throw new InvalidInputException(option + " is required with --examplesQuery");
    }
    QueryTable.Column column = table.column(name);
    if (column == null) {
      throw new InvalidInputException(
          option
              + "="
              + name
              + " is not a column of the examples query (columns: "
              + table.names()
              + ")");
    }
    return column;
  }
}
