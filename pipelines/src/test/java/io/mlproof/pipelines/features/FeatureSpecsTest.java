package io.mlproof.pipelines.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.JsonFormat;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.Feature;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.FeatureType;
import io.mlproof.proto.v1.LabelSpec;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureSpecsTest {
  private static final String HEAD =
      "name: \"t\"\neligibility_days: 90\n"
          + "label { name: \"churned\" definition: NO_PURCHASE horizon_days: 30 }\n";

  @Test
  void theBundledChurnSpecLoadsInColumnOrder() {
    FeatureSpec spec = FeatureSpecs.load("churn_v1");
    assertThat(spec.getName()).isEqualTo("churn_v1");
    assertThat(spec.getFeaturesCount()).isEqualTo(27);
    assertThat(FeatureSpecs.featureNames(spec))
        .startsWith("days_since_last_session", "days_since_last_purchase", "sessions_7d")
        .endsWith("sessions_trend_30d", "purchases_trend_30d", "revenue_trend_30d");
    assertThat(spec.getLabel().getHorizonDays()).isEqualTo(30);
  }

  @Test
  void theHashIsSha256OfTheSpecAndCoversTheLabel() {
    FeatureSpec spec = FeatureSpecs.load("churn_v1");
    assertThat(FeatureSpecs.hash(spec))
        .hasSize(64)
        .isEqualTo(FeatureSpecs.hash(FeatureSpecs.load("churn_v1")));
    assertThat(FeatureSpecs.hash(FeatureSpecs.withLabel(spec, LabelDefinition.NO_PURCHASE, 30)))
        .isEqualTo(FeatureSpecs.hash(spec));
    assertThat(FeatureSpecs.hash(FeatureSpecs.withLabel(spec, LabelDefinition.NO_PURCHASE, 14)))
        .isNotEqualTo(FeatureSpecs.hash(spec));
  }

  @Test
  void aSyntaxErrorNamesFileLineAndColumn() {
    assertThatThrownBy(
            () ->
                FeatureSpecs.parse(
                    HEAD + "features {\n  name: \"x\"\n  windw_days: 3\n}\n", "s.textproto"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("feature spec s.textproto:6:3: ")
        .hasMessageContaining("windw_days")
        .hasMessageEndingWith(
            "(the file must be an mlproof.v1.FeatureSpec in protobuf text format)");
  }

  @Test
  void anUnknownAggregationNamesItsLineAndTheKnownOnes() {
    String text =
        HEAD
            + "features {\n  name: \"x\"\n  type: NUMERIC\n  aggregation: \"sum_sesions\"\n  window_days: 7\n}\n";
    assertThatThrownBy(() -> FeatureSpecs.parse(text, "s.textproto"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "feature spec s.textproto:7: feature #1 'x': unknown aggregation 'sum_sesions' (known: ")
        .hasMessageContaining("sum_sessions");
  }

  @Test
  void semanticErrorsAreOneLineEach() {
    String x =
        "features {\n  name: \"x\"\n  type: NUMERIC\n  aggregation: \"sum_sessions\"\n  window_days: 7\n}\n";
    assertThatThrownBy(() -> FeatureSpecs.parse(HEAD + x + x, "s"))
        .hasMessage(
            "feature spec s:11: feature #2 'x': the name is declared twice; feature names must be unique");
    assertThatThrownBy(
            () -> FeatureSpecs.parse(HEAD + x.replace("window_days: 7", "window_days: 0"), "s"))
        .hasMessage(
            "feature spec s:8: feature #1 'x': aggregation 'sum_sessions' needs window_days between 1 and 3660, got 0");
    assertThatThrownBy(
            () -> FeatureSpecs.parse(HEAD + x.replace("sum_sessions", "tenure_days"), "s"))
        .hasMessage(
            "feature spec s:8: feature #1 'x': aggregation 'tenure_days' is not windowed; remove window_days");
    assertThatThrownBy(() -> FeatureSpecs.parse(HEAD + x.replace("NUMERIC", "CATEGORICAL"), "s"))
        .hasMessage(
            "feature spec s:5: feature #1 'x': type must be NUMERIC (categorical features are not supported yet)");
    assertThatThrownBy(() -> FeatureSpecs.parse(HEAD.replace("NO_PURCHASE", "NO_VISIT") + x, "s"))
        .hasMessageStartingWith("feature spec s:3:")
        .hasMessageContaining("has no value named \"NO_VISIT\"");
    assertThatThrownBy(
            () -> FeatureSpecs.parse(HEAD.replace("NO_PURCHASE", "COLUMN_EQUALS") + x, "s"))
        .hasMessage(
            "feature spec s:3: label definition COLUMN_EQUALS is not one the features stage computes"
                + " (known: [NO_PURCHASE, NO_SESSION])");
    assertThatThrownBy(
            () -> FeatureSpecs.parse(HEAD.replace("eligibility_days: 90\n", "") + x, "s"))
        .hasMessageStartingWith("feature spec s:1: eligibility_days must be positive");
    assertThatThrownBy(() -> FeatureSpecs.parse(HEAD, "s"))
        .hasMessage(
            "feature spec s:1: the spec declares no features: add at least one features { ... } block");
  }

  @Test
  void aMissingFileSaysWhatToGive(@TempDir Path tmp) throws Exception {
    assertThatThrownBy(() -> FeatureSpecs.load(tmp.resolve("nope.textproto").toString()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "feature spec "
                + tmp.resolve("nope.textproto")
                + " not found: give a bundled spec name"
                + " (churn_v1) or the path of an mlproof.v1.FeatureSpec .textproto file");
    Path file = tmp.resolve("mine.textproto");
    Files.writeString(
        file,
        HEAD
            + "features { name: \"s7\" type: NUMERIC aggregation: \"sum_sessions\" window_days: 7 }\n");
    assertThat(FeatureSpecs.featureNames(FeatureSpecs.load(file.toString()))).containsExactly("s7");
  }

  /**
   * The spec of computed examples: a categorical feature, no aggregations, no eligibility window.
   */
  private static final FeatureSpec EXAMPLES_SPEC =
      FeatureSpec.newBuilder()
          .setName("from_table")
          .setVersion(2)
          .addFeatures(Feature.newBuilder().setName("age").setType(FeatureType.NUMERIC))
          .addFeatures(Feature.newBuilder().setName("country").setType(FeatureType.CATEGORICAL))
          .setLabel(
              LabelSpec.newBuilder()
                  .setName("churned")
                  .setDefinition(LabelSpec.Definition.COLUMN_EQUALS)
                  .setPositiveValue("yes"))
          .build();

  @Test
  void readTakesTextJsonAndBinaryAndAllowsWhatTheFeaturesStageCannotCompute(@TempDir Path tmp)
      throws Exception {
    Path text = tmp.resolve("s.textproto");
    FeatureSpecs.write(EXAMPLES_SPEC, text.toString());
    Path json = Files.writeString(tmp.resolve("s.json"), JsonFormat.printer().print(EXAMPLES_SPEC));
    Path binary = Files.write(tmp.resolve("s.pb"), EXAMPLES_SPEC.toByteArray());
    for (Path file : List.of(text, json, binary)) {
      assertThat(FeatureSpecs.read(file.toString())).as(file.toString()).isEqualTo(EXAMPLES_SPEC);
    }
    // The same text is no spec for the features stage to compute.
    assertThatThrownBy(() -> FeatureSpecs.load(text.toString()))
        .hasMessage(
            "feature spec "
                + text
                + ":1: eligibility_days must be positive (an entity is eligible with an"
                + " event in [T - eligibility_days, T))");
  }

  @Test
  void readNamesTheFileOfABadSpec(@TempDir Path tmp) throws Exception {
    Path json = Files.writeString(tmp.resolve("s.json"), "{\"features\": 3}");
    assertThatThrownBy(() -> FeatureSpecs.read(json.toString()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("feature spec " + json + " is not a FeatureSpec: ");
    Path text =
        Files.writeString(tmp.resolve("s.textproto"), "name: \"t\"\nfeatures { nme: \"x\" }\n");
    assertThatThrownBy(() -> FeatureSpecs.read(text.toString()))
        .hasMessageStartingWith("feature spec " + text + ":2:12: ")
        .hasMessageEndingWith(
            "(the file must be an mlproof.v1.FeatureSpec in protobuf text format)");
    assertThatThrownBy(() -> FeatureSpecs.read(tmp.resolve("nope.json").toString()))
        .hasMessage(
            "feature spec "
                + tmp.resolve("nope.json")
                + " not found: give the path of an mlproof.v1.FeatureSpec"
                + " file (.textproto, .json or binary)");
  }

  @Test
  void checkColumnsWantsFeaturesWithUniqueNamesAndATypeEach() {
    assertThat(FeatureSpecs.checkColumns(EXAMPLES_SPEC, "q")).isSameAs(EXAMPLES_SPEC);
    assertThatThrownBy(
            () -> FeatureSpecs.checkColumns(EXAMPLES_SPEC.toBuilder().clearFeatures().build(), "q"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("feature spec q has no features: declare at least one");
    assertThatThrownBy(
            () ->
                FeatureSpecs.checkColumns(
                    EXAMPLES_SPEC.toBuilder().addFeatures(EXAMPLES_SPEC.getFeatures(0)).build(),
                    "q"))
        .hasMessage(
            "feature spec q has an empty or repeated feature name 'age': feature names must be unique");
    assertThatThrownBy(
            () ->
                FeatureSpecs.checkColumns(
                    EXAMPLES_SPEC.toBuilder()
                        .addFeatures(Feature.newBuilder().setType(FeatureType.NUMERIC))
                        .build(),
                    "q"))
        .hasMessage(
            "feature spec q has an empty or repeated feature name '': feature names must be unique");
    assertThatThrownBy(
            () ->
                FeatureSpecs.checkColumns(
                    EXAMPLES_SPEC.toBuilder()
                        .addFeatures(Feature.newBuilder().setName("x"))
                        .build(),
                    "q"))
        .hasMessage("feature x in q has type FEATURE_TYPE_UNSPECIFIED: use NUMERIC or CATEGORICAL");
  }

  @Test
  void aFeaturesOutputGivesTheSpecItsManifestLists(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("features");
    TaskOutput output = TaskOutput.begin(dir.toString());
    Path json = Path.of(output.staging("spec.json"));
    Files.createDirectories(json.getParent());
    Files.writeString(json, JsonFormat.printer().print(EXAMPLES_SPEC));
    output.commit(
        Manifest.newBuilder()
            .setPipeline("features")
            .addFiles(
                OutputFile.newBuilder().setName(FeatureSpecs.OUTPUT_NAME).setPath("spec.json"))
            .build());
    assertThat(FeatureSpecs.fromFeaturesOutput(dir.toString())).isEqualTo(EXAMPLES_SPEC);

    Path bare = tmp.resolve("bare");
    TaskOutput.begin(bare.toString()).commit(Manifest.newBuilder().setPipeline("features").build());
    assertThatThrownBy(() -> FeatureSpecs.fromFeaturesOutput(bare.toString()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "output "
                + bare
                + " has no 'feature_spec' files (it holds []): point this task at the right"
                + " upstream output");
  }
}
