package io.mlproof.pipelines.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.demo.DemoFixtures;
import io.mlproof.pipelines.extract.ExtractPipeline;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.Example;
import io.mlproof.proto.v1.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parity: the features stage (warehouse rollup -> EntityDay TFRecords -> Direct runner) equals an
 * independent SQL query over the raw events and payments (every feature, every entity, every
 * cutoff, and the label), on a seeded synthetic warehouse following docs/DATA.md and on the demo
 * warehouse. The rollup is the shipped extract template; the reference query reads the raw tables
 * and leaves out the rows extract dead-letters (NULL ids, unknown types or statuses, negative or
 * missing amounts). Revenue is money received: succeeded payments.
 */
class FeaturesParityTest {
  private static final List<String> CUTOFFS = List.of("2024-03-01", "2024-04-01", "2024-05-01");
  private static final double TOLERANCE = 1e-9;

  @TempDir Path tmp;

  @Test
  void pipelineFeaturesEqualAnIndependentSqlQuery() throws Exception {
    Path db = tmp.resolve("warehouse.duckdb");
    SyntheticWarehouse.create(db, 200, 182);
    addMidnightUsers(db);
    Map<String, Example> examples = assertParity(db, CUTOFFS);
    String t = "@2024-04-01";
    assertThat(examples.get("9001" + t).getLabel())
        .as("a purchase at exactly T is not after T")
        .isTrue();
    assertThat(examples.get("9002" + t).getLabel())
        .as("a purchase at exactly T + 30 days is in the window")
        .isFalse();
    assertThat(Histories.features(examples.get("9003" + t)))
        .as("a session at exactly T is not before T")
        .containsEntry("sessions_7d", 1.0);
  }

  /**
   * Users whose events fall on the window edges, which the synthetic generator never produces (its
   * events are between 10:00 and 22:00): 9001 buys at exactly T = 2024-04-01 00:00, 9002 at exactly
   * T + 30 days, 9003 starts a session at exactly T. Each also had a session five days before T.
   */
  private static void addMidnightUsers(Path db) throws Exception {
    try (Connection c = SyntheticWarehouse.connect(db);
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO users VALUES (9001, TIMESTAMP '2024-01-05 08:00:00', 'US', 'organic'),"
              + " (9002, TIMESTAMP '2024-01-05 08:00:00', 'US', 'organic'), (9003, TIMESTAMP '2024-01-05 08:00:00', 'US', 'organic')");
      s.execute(
          "INSERT INTO events VALUES"
              + " (90011, 9001, 'session_start', TIMESTAMP '2024-03-27 12:00:00', NULL),"
              + " (90012, 9001, 'purchase', TIMESTAMP '2024-04-01 00:00:00', 10.00),"
              + " (90021, 9002, 'session_start', TIMESTAMP '2024-03-27 12:00:00', NULL),"
              + " (90022, 9002, 'purchase', TIMESTAMP '2024-05-01 00:00:00', 10.00),"
              + " (90031, 9003, 'session_start', TIMESTAMP '2024-03-27 12:00:00', NULL),"
              + " (90032, 9003, 'session_start', TIMESTAMP '2024-04-01 00:00:00', NULL)");
    }
  }

  /** The same on the demo warehouse, whose deliberately malformed rows extract dead-letters. */
  @Test
  void pipelineFeaturesEqualAnIndependentSqlQueryOnTheDemoWarehouse() throws Exception {
    assertParity(DemoFixtures.smallWarehouse(tmp, 11), List.of("2024-02-15", "2024-03-15"));
  }

  /**
   * The production path (extract's entity_days rollup in the warehouse, then the features stage on
   * the Direct runner) against the reference query over the raw tables.
   */
  private Map<String, Example> assertParity(Path db, List<String> cutoffs) throws Exception {
    Path extract = tmp.resolve("extract");
    Manifest extracted =
        ExtractPipeline.run(
            ExtractPipeline.parse(
                "--warehouse=duckdb:" + db,
                "--output=" + extract,
                "--recordType=entity_days",
                "--logicalDate=2023-10-01",
                "--dataIntervalStart=2023-10-01",
                "--dataIntervalEnd=2024-12-31",
                "--maxBadFraction=0.05"),
            Warehouse.parse("duckdb:" + db),
            System.out);
    long rows = extracted.getCountersOrThrow("records");
    Path out = tmp.resolve("features");
    // The Direct runner's immutability/encodability checks are exercised by ComputeExamplesTest;
    // here they would only double the run time of ~1,300 keys.
    FeaturesOptions options =
        PipelineOptionsFactory.fromArgs(
                "--input=" + extract,
                "--output=" + out,
                "--cutoffs=" + String.join(",", cutoffs),
                "--enforceImmutability=false",
                "--enforceEncodability=false")
            .as(FeaturesOptions.class);

    Manifest manifest = FeaturesPipeline.run(options);

    List<Example> examples = TfRecordFiles.read(out, "records-*.tfrecord", Example.parser());
    Map<String, Example> actual = Histories.byKey(examples);
    Map<String, Reference> expected = reference(db, cutoffs);
    assertThat(expected.size()).as("a vacuous comparison proves nothing").isGreaterThan(200);
    assertThat(expected.values().stream().filter(Reference::label).count())
        .isBetween(20L, expected.size() - 20L);
    assertThat(actual.keySet())
        .as("the same entities are eligible at the same cutoffs")
        .containsExactlyInAnyOrderElementsOf(expected.keySet());

    List<String> names = FeatureSpecs.featureNames(Histories.CHURN);
    List<String> mismatches = new ArrayList<>();
    for (Map.Entry<String, Reference> e : expected.entrySet()) {
      Example example = actual.get(e.getKey());
      for (int f = 0; f < names.size(); f++) {
        double want = e.getValue().features().get(names.get(f));
        double got = example.getFeatures(f);
        boolean same =
            Double.isNaN(want)
                ? Double.isNaN(got)
                : Math.abs(got - want) <= TOLERANCE * Math.max(1, Math.abs(want));
        if (!same) {
          mismatches.add(e.getKey() + " " + names.get(f) + ": pipeline " + got + ", SQL " + want);
        }
      }
      if (example.getLabel() != e.getValue().label() || !example.getHasLabel()) {
        mismatches.add(
            e.getKey()
                + " label: pipeline "
                + example.getLabel()
                + ", SQL "
                + e.getValue().label());
      }
    }
    assertThat(mismatches).as("features that differ from SQL").isEmpty();

    // The committed output: manifest, statistics of the same examples, effective spec.
    assertThat(TaskOutput.read(out.toString())).isEqualTo(manifest);
    assertThat(manifest.getCountersMap())
        .containsEntry("examples", (long) examples.size())
        .containsEntry("entity_days_read", rows)
        .doesNotContainKey("entity_days_dead_letter");
    DatasetStatistics stats =
        ComputeStatistics.read(out.resolve(ComputeStatistics.PB_FILE).toString());
    assertThat(stats.getExamples()).isEqualTo(examples.size());
    assertThat(stats.getPositives())
        .isEqualTo(expected.values().stream().filter(Reference::label).count());
    assertThat(stats.getCutoffDaysList())
        .containsExactlyElementsOf(cutoffs.stream().map(Histories::d).toList());
    assertThat(Files.readString(out.resolve(ComputeStatistics.JSON_FILE)))
        .contains("\"examples\": \"" + examples.size());
    assertThat(FeatureSpecs.fromFeaturesOutput(out.toString()))
        .isEqualTo(FeatureSpecs.withLabel(Histories.CHURN, LabelDefinition.NO_PURCHASE, 30));
    assertThat(examples)
        .allMatch(
            x -> x.getFeatureSpecHash().equals(manifest.getAttributesOrThrow("feature_spec_hash")));
    return actual;
  }

  private record Reference(Map<String, Double> features, boolean label) {}

  private static Map<String, Reference> reference(Path db, List<String> cutoffs) throws Exception {
    Map<String, Reference> out = new HashMap<>();
    try (Connection c = SyntheticWarehouse.connect(db);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(SyntheticWarehouse.referenceQuery(cutoffs, 30))) {
      ResultSetMetaData meta = r.getMetaData();
      while (r.next()) {
        Map<String, Double> features = new HashMap<>();
        for (int i = 3; i < meta.getColumnCount(); i++) {
          double v = r.getDouble(i);
          features.put(meta.getColumnLabel(i), r.wasNull() ? Double.NaN : v);
        }
        String key = r.getLong(1) + "@" + LocalDate.ofEpochDay(r.getInt(2));
        out.put(key, new Reference(features, r.getBoolean(meta.getColumnCount())));
      }
    }
    return out;
  }
}
