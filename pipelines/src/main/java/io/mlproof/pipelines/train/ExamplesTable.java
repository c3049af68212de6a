package io.mlproof.pipelines.train;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.evaluate.IndexSort;
import io.mlproof.pipelines.features.FeatureSpecs;
import io.mlproof.proto.v1.Feature;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.FeatureType;
import io.mlproof.proto.v1.LabelSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
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

  public static TrainingData load(TableQuery.Table table, Columns columns, double testFraction, int seed) {
    if (table.rows() == 0) {
      throw new InvalidInputException("the examples query returned no rows: check --examplesQuery");
    }
    TableQuery.Column idColumn = require(table, columns.id(), "--idColumn");
    TableQuery.Column labelColumn = require(table, columns.label(), "--labelColumn");
    TableQuery.Column splitColumn = columns.split().isEmpty() ? null : require(table, columns.split(), "--splitColumn");
    int n = table.rows();
    String[] ids = new String[n];
    boolean[] labels = new boolean[n];
    Map<String, Integer> labelValues = new TreeMap<>();
    for (int r = 0; r < n; r++) {
      ids[r] = idColumn.text(r);
      if (ids[r] == null) {
        throw new InvalidInputException("id column " + columns.id() + " is NULL in row " + (r + 1) + ": every row needs an id");
      }
      String label = labelColumn.text(r);
      if (isMissing(label)) {
        throw new InvalidInputException(
            "label column " + columns.label() + " is missing (NULL, empty or NA) for id " + ids[r]
                + ": every training row needs a label; filter such rows out in the query");
      }
      labelValues.merge(label, 1, Integer::sum);
      labels[r] = label.equals(columns.positiveLabel());
    }
    if (!labelValues.containsKey(columns.positiveLabel()) || labelValues.size() == 1) {
      throw new InvalidInputException(
          "label column " + columns.label() + " is constant for --positiveLabel=" + columns.positiveLabel()
              + " (values and counts: " + labelValues + "): it needs both positive and negative rows;"
              + " check --positiveLabel and the query");
    }
    int[] order = IndexSort.sorted(n, (a, b) -> ids[a].compareTo(ids[b]));
    for (int i = 1; i < n; i++) {
      if (ids[order[i]].equals(ids[order[i - 1]])) {
        throw new InvalidInputException(
            "id " + ids[order[i]] + " appears more than once in column " + columns.id()
                + ": the examples query must return one row per entity");
      }
    }

    Set<String> reserved = new java.util.HashSet<>(List.of(columns.id(), columns.label(), columns.split()));
    List<TableQuery.Column> featureColumns = table.columns().stream().filter(c -> !reserved.contains(c.name())).toList();
    if (featureColumns.isEmpty()) {
      throw new InvalidInputException("the examples query returns no feature columns besides id, label and split");
    }
    FeatureSpec.Builder spec = FeatureSpec.newBuilder()
        .setName(columns.label().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_"))
        .setVersion(1)
        .setLabel(LabelSpec.newBuilder()
            .setName(columns.label())
            .setDefinition(columns.label() + " = '" + columns.positiveLabel() + "'"));
    List<double[]> encoded = new ArrayList<>();
    for (TableQuery.Column c : featureColumns) {
      Feature.Builder feature = Feature.newBuilder().setName(c.name()).setDescription("from the examples query");
      encoded.add(encode(c, n, feature));
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

    boolean[] test = splitColumn == null
        ? stratified(order, labels, testFraction, seed)
        : fromColumn(splitColumn, ids, columns.split());
    int[] trainRows = java.util.stream.IntStream.of(order).filter(r -> !test[r]).toArray();
    int[] testRows = java.util.stream.IntStream.of(order).filter(r -> test[r]).toArray();
    if (trainRows.length == 0 || testRows.length == 0) {
      throw new InvalidInputException(
          "the split leaves " + trainRows.length + " training and " + testRows.length
              + " test rows: both need rows (check --splitColumn or --testFraction)");
    }
    Map<String, Long> counters = new TreeMap<>();
    counters.put("examples_read", (long) n);
    counters.put("train_rows", (long) trainRows.length);
    counters.put("validation_rows", (long) testRows.length);
    String split = splitColumn == null
        ? String.format(Locale.ROOT, "stratified: %.0f%% of each class held out, seed %d", 100 * testFraction, seed)
        : "column " + columns.split() + ": 'train' rows train, 'test' rows evaluate";
    return new TrainingData(buffer.select(trainRows), buffer.select(testRows), split, counters);
  }

  static boolean isMissing(String value) {
    return value == null || MISSING.contains(value.trim());
  }

  /** Codes a column as doubles and fills in its spec entry. */
  static double[] encode(TableQuery.Column column, int n, Feature.Builder feature) {
    if (column instanceof TableQuery.NumericColumn numeric) {
      feature.setType(FeatureType.NUMERIC);
      return numeric.values();
    }
    String[] text = ((TableQuery.TextColumn) column).values();
    double[] numbers = parseAll(text);
    if (numbers != null) {
      feature.setType(FeatureType.NUMERIC);
      return numbers;
    }
    TreeSet<String> distinct = new TreeSet<>();
    for (String v : text) {
      if (!isMissing(v)) {
        distinct.add(v);
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

  /** All values as numbers (missing = NaN), or null if some value is not a number. */
  static double[] parseAll(String[] text) {
    double[] out = new double[text.length];
    boolean any = false;
    for (int r = 0; r < text.length; r++) {
      if (isMissing(text[r])) {
        out[r] = Double.NaN;
        continue;
      }
      try {
        out[r] = Double.parseDouble(text[r].trim());
        any = true;
      } catch (NumberFormatException e) {
        return null;
      }
      if (!Double.isFinite(out[r])) {
        return null;
      }
    }
    return any ? out : null;
  }

  /**
   * Seeded stratified split: each class's rows, in id order, are shuffled with the seed and the
   * first round(fraction x class size) go to the test set.
   */
  static boolean[] stratified(int[] canonical, boolean[] labels, double fraction, int seed) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new InvalidInputException("--testFraction must be in (0, 1), got " + fraction);
    }
    boolean[] test = new boolean[labels.length];
    Random random = new Random(seed);
    for (boolean cls : new boolean[] {false, true}) {
      int[] rows = java.util.stream.IntStream.of(canonical).filter(r -> labels[r] == cls).toArray();
      for (int i = rows.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = rows[i];
        rows[i] = rows[j];
        rows[j] = t;
      }
      long take = Math.round(fraction * rows.length);
      for (int i = 0; i < take; i++) {
        test[rows[i]] = true;
      }
    }
    return test;
  }

  private static boolean[] fromColumn(TableQuery.Column split, String[] ids, String name) {
    boolean[] test = new boolean[ids.length];
    for (int r = 0; r < ids.length; r++) {
      String v = split.text(r);
      if ("test".equals(v)) {
        test[r] = true;
      } else if (!"train".equals(v)) {
        throw new InvalidInputException(
            "split column " + name + " is '" + v + "' for id " + ids[r] + ": use 'train' or 'test'");
      }
    }
    return test;
  }

  private static TableQuery.Column require(TableQuery.Table table, String name, String option) {
    if (name.isEmpty()) {
      throw new InvalidInputException(option + " is required with --examplesQuery");
    }
    TableQuery.Column column = table.column(name);
    if (column == null) {
      throw new InvalidInputException(
          option + "=" + name + " is not a column of the examples query (columns: " + table.names() + ")");
    }
    return column;
  }
}
