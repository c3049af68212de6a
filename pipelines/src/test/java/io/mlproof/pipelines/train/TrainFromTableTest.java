package io.mlproof.pipelines.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.util.JsonFormat;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.model.ExampleMatrix;
import io.mlproof.pipelines.model.SyntheticExamples;
import io.mlproof.pipelines.model.TrainingData;
import io.mlproof.pipelines.model.TrainingParameters;
import io.mlproof.pipelines.sql.RenderedSql;
import io.mlproof.pipelines.warehouse.QueryTable;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.ClassificationMetrics;
import io.mlproof.proto.v1.EvaluationResult;
import io.mlproof.proto.v1.Feature;
import io.mlproof.proto.v1.FeatureType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bring your own training table, on the real IBM HR attrition data (1,470 employees, label {@code
 * Attrition}; the repository's copy in {@code src/test/resources/data}) loaded into a DuckDB file.
 * Expected values come from independent SQL queries.
 */
class TrainFromTableTest {
  @TempDir static Path dir;
  static String warehouse;
  static TrainPipeline.Result result;
  static String stdout;

  @BeforeAll
  static void loadAndTrain() throws Exception {
    // The repository's own copy (src/test/resources/data/README.md says where it comes from).
    Path csv = Path.of(TrainFromTableTest.class.getResource("/data/attrition.csv").toURI());
    Path db = dir.resolve("warehouse.duckdb");
    // DuckDB's CSV sniffer reads Yes/No columns as BOOLEAN; the label stays text here so the test
    // trains with --positiveLabel=Yes (OverTime stays a 0/1 boolean feature).
    sql(
        db,
        "CREATE TABLE attrition AS SELECT row_number() OVER () AS employee_id, *"
            + " FROM read_csv('"
            + csv.toAbsolutePath()
            + "', types = {'Attrition': 'VARCHAR'})");
    // The same file as DuckDB types it by itself: Attrition and OverTime are BOOLEAN.
    sql(
        db,
        "CREATE TABLE attrition_raw AS SELECT row_number() OVER () AS employee_id, *"
            + " FROM read_csv('"
            + csv.toAbsolutePath()
            + "')");
    warehouse = "duckdb:" + db;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    result =
        TrainPipeline.run(
            SyntheticExamples.options(
                args(
                    dir.resolve("train"),
                    "SELECT * FROM attrition",
                    "--report=JSON",
                    "--evaluationJson=" + dir.resolve("evaluation-copy.json"))),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    stdout = out.toString(StandardCharsets.UTF_8);
  }

  static String[] args(Path output, String query, String... more) {
    return SyntheticExamples.merge(
        List.of(
            "--warehouse=" + warehouse,
            "--examplesQuery=" + query,
            "--labelColumn=Attrition",
            "--positiveLabel=Yes",
            "--idColumn=employee_id",
            "--output=" + output,
            "--learningRate=0.05",
            "--numLeaves=7",
            "--earlyStoppingRounds=30"),
        more);
  }

  static List<String> sql(Path db, String query) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement()) {
      List<String> rows = new ArrayList<>();
      if (s.execute(query)) {
        try (ResultSet rs = s.getResultSet()) {
          while (rs.next()) {
            rows.add(rs.getString(1));
          }
        }
      }
      return rows;
    }
  }

  static long count(String query) throws SQLException {
    return Long.parseLong(sql(Path.of(warehouse.substring("duckdb:".length())), query).get(0));
  }

  /**
   * --examplesQuery on BigQuery is answered from the warehouse's driver-side rows ({@code
   * QueryTable.of(queryRows)}); that path (rows as Java values, then columns by type) must give
   * exactly the training data DuckDB's columnar reader ({@code queryTable}) gives. No BigQuery runs
   * here, so both readers run over the same DuckDB file: what differs is only the conversion under
   * test.
   */
  @Test
  void theWarehouseApiReaderGivesTheSameTrainingDataAsTheJdbcReader() {
    TrainOptions options =
        SyntheticExamples.options(args(dir.resolve("unused"), "SELECT * FROM attrition"));
    ExamplesTable.Columns columns =
        new ExamplesTable.Columns(
            options.getIdColumn(),
            options.getLabelColumn(),
            options.getPositiveLabel(),
            options.getSplitColumn());
    RenderedSql sql = new RenderedSql("--examplesQuery", options.getExamplesQuery(), Set.of());
    Warehouse duckdb = Warehouse.parse(warehouse);
    TrainingData jdbc =
        ExamplesTable.load(
            duckdb.queryTable(sql),
            columns,
            options.getTestFraction(),
            options.getValidationFraction(),
            options.getSeed());
    TrainingData shared =
        ExamplesTable.load(
            QueryTable.of(duckdb.queryRows(sql)),
            columns,
            options.getTestFraction(),
            options.getValidationFraction(),
            options.getSeed());
    assertThat(shared.train().rows() + shared.validation().rows() + shared.test().rows())
        .isEqualTo(1470);
    assertThat(shared.train().rows()).isEqualTo(jdbc.train().rows());
    assertThat(shared.inputSha256()).isEqualTo(jdbc.inputSha256());
  }

  @Test
  void stratifiedSplitHoldsOutAQuarterOfEachClassForTestAndAFifthOfTheRestForValidation()
      throws Exception {
    long yes = count("SELECT count(*) FROM attrition WHERE Attrition = 'Yes'");
    long no = count("SELECT count(*) FROM attrition WHERE Attrition = 'No'");
    assertThat(yes + no).isEqualTo(1470);
    long testYes = Math.round(0.25 * yes);
    long testNo = Math.round(0.25 * no);
    long validation = Math.round(0.2 * (yes - testYes)) + Math.round(0.2 * (no - testNo));
    assertThat(result.manifest().getCountersMap())
        .containsEntry("examples_read", 1470L)
        .containsEntry("test_rows", testYes + testNo)
        .containsEntry("validation_rows", validation)
        .containsEntry("train_rows", 1470 - testYes - testNo - validation);
    assertThat(result.metadata().getEvaluation().getPositives()).isEqualTo(testYes);
  }

  @Test
  void textColumnsAreCategoricalWithTheirSortedValues() throws Exception {
    Path db = Path.of(warehouse.substring("duckdb:".length()));
    Set<String> text =
        new TreeSet<>(
            sql(
                db,
                "SELECT column_name FROM information_schema.columns"
                    + " WHERE table_name = 'attrition' AND data_type = 'VARCHAR' AND column_name <> 'Attrition'"));
    List<Feature> features = result.metadata().getFeatureSpec().getFeaturesList();
    Set<String> categorical =
        new TreeSet<>(
            features.stream()
                .filter(f -> f.getType() == FeatureType.CATEGORICAL)
                .map(Feature::getName)
                .toList());
    assertThat(categorical).isEqualTo(text).hasSize(13);
    assertThat(features).hasSize(31 - 1); // every column but id and label
    Feature department =
        features.stream().filter(f -> f.getName().equals("Department")).findFirst().orElseThrow();
    assertThat(department.getVocabularyList())
        .isEqualTo(sql(db, "SELECT DISTINCT Department FROM attrition ORDER BY 1"));
  }

  @Test
  void evaluationIsPrintedAndWrittenAsJsonForOtherTools() throws Exception {
    EvaluationResult.Builder printed = EvaluationResult.newBuilder();
    JsonFormat.parser().merge(stdout, printed);
    assertThat(printed.getModel().getName()).isEqualTo("model");
    assertThat(printed.getBaselinesList())
        .extracting(ClassificationMetrics::getName)
        .startsWith("status_quo", "random")
        .hasSize(3);
    assertThat(printed.getVerdict().getSummary()).isNotEmpty();
    assertThat(printed.getModel().getLiftList()).hasSize(3);
    assertThat(printed.getModel().getCalibrationList()).hasSize(10);
    assertThat(Files.readString(dir.resolve("evaluation-copy.json"))).isEqualTo(stdout);
    // BYO tables have no recency feature: the heuristic may threshold every numeric column.
    assertThat(printed.getBaselines(2).getName()).startsWith("heuristic:");
    System.out.println(
        io.mlproof.pipelines.evaluate.EvaluationReport.table(
            printed.build(), "IBM HR attrition, bring-your-own table"));
  }

  @Test
  void savedPredictionsReproduceTheReportedRocAuc() throws Exception {
    List<String> lines =
        Files.readAllLines(Path.of(result.outputDir(), TrainPipeline.PREDICTIONS_CSV));
    int n = lines.size() - 1;
    double wins = 0;
    long pairs = 0;
    for (int i = 1; i <= n; i++) {
      String[] a = lines.get(i).split(",");
      for (int j = 1; j <= n; j++) {
        String[] b = lines.get(j).split(",");
        if (a[2].equals("1") && b[2].equals("0")) {
          pairs++;
          double sa = Double.parseDouble(a[3]);
          double sb = Double.parseDouble(b[3]);
          wins += sa > sb ? 1 : sa == sb ? 0.5 : 0;
        }
      }
    }
    assertThat(result.metadata().getEvaluation().getModel().getRocAuc())
        .isCloseTo(wins / pairs, within(1e-12));
  }

  @Test
  void splitColumnChoosesTheTestRows(@TempDir Path out) throws Exception {
    String query =
        "SELECT *, CASE WHEN employee_id % 4 = 0 THEN 'test' ELSE 'train' END AS fold FROM attrition";
    TrainPipeline.Result split =
        TrainPipeline.run(
            SyntheticExamples.options(args(out, query, "--splitColumn=fold")),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    java.util.Map<String, Long> counters = split.manifest().getCountersMap();
    assertThat(counters)
        .containsEntry(
            "test_rows", count("SELECT count(*) FROM attrition WHERE employee_id % 4 = 0"));
    assertThat(counters.get("train_rows") + counters.get("validation_rows"))
        .isEqualTo(count("SELECT count(*) FROM attrition WHERE employee_id % 4 <> 0"));
    assertThat(split.metadata().getEvaluation().getPositives())
        .isEqualTo(
            count(
                "SELECT count(*) FROM attrition WHERE employee_id % 4 = 0 AND Attrition = 'Yes'"));
    assertThat(split.metadata().getFeatureSpec().getFeaturesList())
        .extracting(Feature::getName)
        .doesNotContain("fold");
  }

  @Test
  void naTextInANumericColumnIsMissingNotCategorical(@TempDir Path out) {
    String query =
        "SELECT * REPLACE (CASE WHEN employee_id % 10 = 0 THEN 'NA' ELSE CAST(Age AS VARCHAR) END AS Age)"
            + " FROM attrition";
    TrainPipeline.Result na =
        TrainPipeline.run(
            SyntheticExamples.options(args(out, query)),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    Feature age =
        na.metadata().getFeatureSpec().getFeaturesList().stream()
            .filter(f -> f.getName().equals("Age"))
            .findFirst()
            .orElseThrow();
    assertThat(age.getType()).isEqualTo(FeatureType.NUMERIC);
  }

  @Test
  void missingOrConstantLabelsAndUnknownColumnsAreClearErrors(@TempDir Path out) {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertThatThrownBy(
            () ->
                TrainPipeline.run(
                    SyntheticExamples.options(
                        args(out, "SELECT * FROM attrition", "--positiveLabel=Maybe")),
                    quiet))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "label column Attrition (TEXT) is constant for --positiveLabel=Maybe (values and counts:"
                + " {No=1233, Yes=237}): it needs both positive and negative rows; check --positiveLabel and the query");
    assertThatThrownBy(
            () ->
                TrainPipeline.run(
                    SyntheticExamples.options(
                        args(out, "SELECT * FROM attrition WHERE Attrition = 'No'")),
                    quiet))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "label column Attrition (TEXT) is constant for --positiveLabel=Yes (values and counts: {No=1233})");
    assertThatThrownBy(
            () ->
                TrainPipeline.run(
                    SyntheticExamples.options(
                        args(
                            out,
                            "SELECT * REPLACE (CASE WHEN employee_id = 7 THEN NULL ELSE Attrition END AS Attrition) FROM attrition")),
                    quiet))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "label column Attrition is missing (NULL, empty or NA) for id 7: every training row needs a"
                + " label; filter such rows out in the query");
    assertThatThrownBy(
            () ->
                TrainPipeline.run(
                    SyntheticExamples.options(
                        args(out, "SELECT * EXCLUDE (Attrition) FROM attrition")),
                    quiet))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "--labelColumn=Attrition is not a column of the examples query (columns: [employee_id, Age,");
    assertThatThrownBy(
            () ->
                TrainPipeline.run(
                    SyntheticExamples.options(
                        args(
                            out,
                            "SELECT * FROM attrition UNION ALL SELECT * FROM attrition WHERE employee_id = 3")),
                    quiet))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "id 3 appears more than once in column employee_id: the examples query must return one row per entity");
  }

  @Test
  void aBooleanLabelTakesTrueYesOrOneInAnyCase() {
    TrainingData text =
        TrainPipeline.source(
                SyntheticExamples.options(args(dir.resolve("unused"), "SELECT * FROM attrition")))
            .load();
    for (String positive : List.of("true", "YES", "1", "yes")) {
      TrainingData bool =
          TrainPipeline.source(
                  SyntheticExamples.options(
                      args(
                          dir.resolve("unused"),
                          "SELECT * FROM attrition_raw",
                          "--positiveLabel=" + positive)))
              .load();
      for (int i = 0; i < 3; i++) {
        ExampleMatrix expected = List.of(text.train(), text.validation(), text.test()).get(i);
        ExampleMatrix actual = List.of(bool.train(), bool.validation(), bool.test()).get(i);
        assertThat(actual.entityIds()).as(positive).containsExactly(expected.entityIds());
        assertThat(actual.labels()).as(positive).containsExactly(expected.labels());
        assertThat(actual.values()).as(positive).containsExactly(expected.values());
      }
    }
  }

  @Test
  void aConstantOrMisnamedBooleanLabelShowsTheColumnsRealValuesAndType(@TempDir Path out) {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertThatThrownBy(
            () ->
                TrainPipeline.run(
                    SyntheticExamples.options(
                        args(
                            out,
                            "SELECT * FROM attrition_raw WHERE NOT Attrition",
                            "--positiveLabel=true")),
                    quiet))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "label column Attrition (BOOLEAN) is constant for --positiveLabel=true (values and counts:"
                + " {false=1233}): it needs both positive and negative rows; check --positiveLabel and the query");
    assertThatThrownBy(
            () ->
                TrainPipeline.run(
                    SyntheticExamples.options(
                        args(out, "SELECT * FROM attrition_raw", "--positiveLabel=Leaver")),
                    quiet))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--positiveLabel=Leaver is not a value of the BOOLEAN label column Attrition: use true (or yes, 1)"
                + " or false (or no, 0)");
  }

  /**
   * The test rows are never read before evaluation: the same split with every test row poisoned
   * (numbers scaled by -1000, text replaced, booleans and labels flipped) gives the same model
   * bytes, round count, threshold, heuristic and feature spec; only the measurement changes.
   */
  @Test
  void poisoningTheTestRowsChangesNothingButTheirMeasurement(@TempDir Path out) throws Exception {
    Path db = Path.of(warehouse.substring("duckdb:".length()));
    String isTest = "employee_id % 4 = 0";
    List<String> columns = new ArrayList<>();
    for (String line :
        sql(
            db,
            "SELECT column_name || ':' || data_type FROM information_schema.columns"
                + " WHERE table_name = 'attrition_raw' ORDER BY ordinal_position")) {
      String name = line.substring(0, line.indexOf(':'));
      String type = line.substring(line.indexOf(':') + 1);
      String poisoned =
          name.equals("employee_id")
              ? name
              : type.equals("VARCHAR")
                  ? "'POISON'"
                  : type.equals("BOOLEAN") ? "NOT " + name : "-1000 * " + name + " - 7";
      columns.add(
          "CASE WHEN " + isTest + " THEN " + poisoned + " ELSE " + name + " END AS " + name);
    }
    String fold = "CASE WHEN " + isTest + " THEN 'test' ELSE 'train' END AS fold";
    String clean = "SELECT *, " + fold + " FROM attrition_raw";
    String poisoned = "SELECT " + String.join(", ", columns) + ", " + fold + " FROM attrition_raw";
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    TrainPipeline.Result a =
        TrainPipeline.run(
            SyntheticExamples.options(
                args(out.resolve("clean"), clean, "--positiveLabel=yes", "--splitColumn=fold")),
            quiet);
    TrainPipeline.Result b =
        TrainPipeline.run(
            SyntheticExamples.options(
                args(
                    out.resolve("poisoned"),
                    poisoned,
                    "--positiveLabel=yes",
                    "--splitColumn=fold")),
            quiet);
    assertThat(b.metadata().getModelSha256()).isEqualTo(a.metadata().getModelSha256());
    assertThat(b.metadata().getFeatureSpec()).isEqualTo(a.metadata().getFeatureSpec());
    assertThat(b.metadata().getEvaluation().getSelection())
        .isEqualTo(a.metadata().getEvaluation().getSelection());
    assertThat(b.metadata().getEvaluation().getModel().getOperatingPoint().getThreshold())
        .isEqualTo(a.metadata().getEvaluation().getModel().getOperatingPoint().getThreshold());
    // The poison did reach the test rows: flipped labels turn the positives over.
    assertThat(b.metadata().getEvaluation().getPositives())
        .isEqualTo(
            b.metadata().getEvaluation().getExamples()
                - a.metadata().getEvaluation().getPositives());
    assertThat(b.metadata().getEvaluation().getModel().getRocAuc())
        .isNotEqualTo(a.metadata().getEvaluation().getModel().getRocAuc());
  }

  /**
   * The small-table bar as issue 12 states it, on one split: with its default settings (nothing
   * chosen on the test rows), mlproof's test ROC-AUC on attrition should be at least scikit-learn's
   * HistGradientBoostingClassifier's minus 0.01. The reference, 0.799472, was computed once by
   * src/test/resources/data/attrition_hgb_reference.py with Debian's python3-sklearn 1.2.1: {@code
   * HistGradientBoostingClassifier()} with default settings and the 14 text columns as native
   * categoricals (ordinal codes of their sorted values), fit on the 1,103 rows that are not test
   * rows, ROC-AUC on the 367 test rows listed in attrition-test-ids.txt (this split, seed 42).
   *
   * <p>Met, narrowly: mlproof reaches 0.7904 here against a bar of 0.7895 (0.746 before issue 12,
   * 0.776 with the small-table leaves alone). What moved it was chosen without these test rows: the
   * categorical settings for small tables ({@code min_data_per_group} = the scaled {@code
   * min_data_in_leaf}, {@code cat_l2=0}; {@link TrainingParameters#resolvedFor}) won 5-fold
   * cross-validation on the other 1,103 rows, mean 0.832 against 0.824 for the previous rule and
   * 0.811 for HistGradientBoosting ({@link #defaultSettingsMatchHistGradientBoostingAcrossFolds});
   * this split was then measured once. On 367 rows with 59 positives the ROC-AUC of either model
   * has a standard error of about 0.03, so this one split says little beyond "comparable".
   */
  @Test
  void defaultSettingsReachHistGradientBoostingOnTheSameSplit(@TempDir Path out) throws Exception {
    double reference = 0.799472;
    TrainPipeline.Result r =
        TrainPipeline.run(
            SyntheticExamples.options(defaults(out, "SELECT * FROM attrition_raw")),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    List<String> testIds =
        Files.readAllLines(Path.of(r.outputDir(), TrainPipeline.PREDICTIONS_CSV)).stream()
            .skip(1)
            .map(line -> line.substring(0, line.indexOf(',')))
            .sorted(java.util.Comparator.comparingInt(Integer::parseInt))
            .toList();
    Path ids =
        Path.of(TrainFromTableTest.class.getResource("/data/attrition-test-ids.txt").toURI());
    assertThat(testIds)
        .as("the reference was computed on these test rows")
        .isEqualTo(Files.readAllLines(ids));
    assertThat(r.metadata().getEvaluation().getModel().getRocAuc())
        .isGreaterThanOrEqualTo(reference - 0.01);
  }

  /**
   * The same bar by 5-fold cross-validation on the 1,103 rows that are not test rows (fold =
   * (employee_id x 7919) mod 5; each fold in turn is the test split, through --splitColumn, and the
   * real test rows are never used): mlproof's mean ROC-AUC with default settings is at least
   * HistGradientBoostingClassifier's minus 0.01. Reference 0.810911 (folds 0.848780, 0.764130,
   * 0.805848, 0.760118, 0.875680), computed once by attrition_hgb_reference.py as above.
   */
  @Test
  void defaultSettingsMatchHistGradientBoostingAcrossFolds(@TempDir Path out) throws Exception {
    double reference = 0.810911;
    Path ids =
        Path.of(TrainFromTableTest.class.getResource("/data/attrition-test-ids.txt").toURI());
    String notTest = "employee_id NOT IN (" + String.join(",", Files.readAllLines(ids)) + ")";
    double sum = 0;
    for (int k = 0; k < 5; k++) {
      String query =
          "SELECT *, CASE WHEN (employee_id * 7919) % 5 = "
              + k
              + " THEN 'test' ELSE 'train' END AS fold"
              + " FROM attrition_raw WHERE "
              + notTest;
      TrainPipeline.Result r =
          TrainPipeline.run(
              SyntheticExamples.options(
                  SyntheticExamples.merge(
                      List.of(defaults(out.resolve("fold" + k), query)), "--splitColumn=fold")),
              new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      sum += r.metadata().getEvaluation().getModel().getRocAuc();
    }
    assertThat(sum / 5).isGreaterThanOrEqualTo(reference - 0.01);
  }

  /**
   * Only what a new user must give: no learning rate, leaves or early stopping of the tests' own.
   */
  private static String[] defaults(Path output, String query) {
    return new String[] {
      "--warehouse=" + warehouse,
      "--examplesQuery=" + query,
      "--labelColumn=Attrition",
      "--positiveLabel=yes",
      "--idColumn=employee_id",
      "--output=" + output
    };
  }
}
