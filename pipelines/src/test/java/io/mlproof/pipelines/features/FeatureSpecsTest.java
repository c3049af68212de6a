package io.mlproof.pipelines.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.proto.v1.FeatureSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureSpecsTest {
  private static final String HEAD = "name: \"t\"\neligibility_days: 90\n"
      + "label { name: \"churned\" definition: \"no_purchase\" horizon_days: 30 }\n";

  @Test
  void theBundledChurnSpecLoadsInColumnOrder() {
    FeatureSpec spec = FeatureSpecs.load("churn_v1");
    assertThat(spec.getName()).isEqualTo("churn_v1");
    assertThat(spec.getFeaturesCount()).isEqualTo(27);
    assertThat(FeatureSpecs.featureNames(spec)).startsWith("days_since_last_session", "days_since_last_purchase",
        "sessions_7d").endsWith("sessions_trend_30d", "purchases_trend_30d", "revenue_trend_30d");
    assertThat(spec.getLabel().getHorizonDays()).isEqualTo(30);
  }

  @Test
  void theHashIsSha256OfTheSpecAndCoversTheLabel() {
    FeatureSpec spec = FeatureSpecs.load("churn_v1");
    assertThat(FeatureSpecs.hash(spec)).hasSize(64).isEqualTo(FeatureSpecs.hash(FeatureSpecs.load("churn_v1")));
    assertThat(FeatureSpecs.hash(FeatureSpecs.withLabel(spec, LabelDefinition.NO_PURCHASE, 30)))
        .isEqualTo(FeatureSpecs.hash(spec));
    assertThat(FeatureSpecs.hash(FeatureSpecs.withLabel(spec, LabelDefinition.NO_PURCHASE, 14)))
        .isNotEqualTo(FeatureSpecs.hash(spec));
  }

  @Test
  void aSyntaxErrorNamesFileLineAndColumn() {
    assertThatThrownBy(() -> FeatureSpecs.parse(HEAD + "features {\n  name: \"x\"\n  windw_days: 3\n}\n", "s.textproto"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("feature spec s.textproto:6:3: ")
        .hasMessageContaining("windw_days")
        .hasMessageEndingWith("(the file must be an mlproof.v1.FeatureSpec in protobuf text format)");
  }

  @Test
  void anUnknownAggregationNamesItsLineAndTheKnownOnes() {
    String text = HEAD + "features {\n  name: \"x\"\n  type: NUMERIC\n  aggregation: \"sum_sesions\"\n  window_days: 7\n}\n";
    assertThatThrownBy(() -> FeatureSpecs.parse(text, "s.textproto"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("feature spec s.textproto:7: feature #1 'x': unknown aggregation 'sum_sesions' (known: ")
        .hasMessageContaining("sum_sessions");
  }

  @Test
  void semanticErrorsAreOneLineEach() {
    String x = "features {\n  name: \"x\"\n  type: NUMERIC\n  aggregation: \"sum_sessions\"\n  window_days: 7\n}\n";
    assertThatThrownBy(() -> FeatureSpecs.parse(HEAD + x + x, "s"))
        .hasMessage("feature spec s:11: feature #2 'x': the name is declared twice; feature names must be unique");
    assertThatThrownBy(() -> FeatureSpecs.parse(HEAD + x.replace("window_days: 7", "window_days: 0"), "s"))
        .hasMessage("feature spec s:8: feature #1 'x': aggregation 'sum_sessions' needs window_days between 1 and 3660, got 0");
    assertThatThrownBy(() -> FeatureSpecs.parse(HEAD + x.replace("sum_sessions", "tenure_days"), "s"))
        .hasMessage("feature spec s:8: feature #1 'x': aggregation 'tenure_days' is not windowed; remove window_days");
    assertThatThrownBy(() -> FeatureSpecs.parse(HEAD + x.replace("NUMERIC", "CATEGORICAL"), "s"))
        .hasMessage("feature spec s:5: feature #1 'x': type must be NUMERIC (categorical features are not supported yet)");
    assertThatThrownBy(() -> FeatureSpecs.parse(HEAD.replace("no_purchase", "no_visit") + x, "s"))
        .hasMessage("feature spec s:3: unknown label definition 'no_visit' (known: [no_purchase, no_session])");
    assertThatThrownBy(() -> FeatureSpecs.parse(HEAD.replace("eligibility_days: 90\n", "") + x, "s"))
        .hasMessageStartingWith("feature spec s:1: eligibility_days must be positive");
    assertThatThrownBy(() -> FeatureSpecs.parse(HEAD, "s"))
        .hasMessage("feature spec s:1: the spec declares no features: add at least one features { ... } block");
  }

  @Test
  void aMissingFileSaysWhatToGive(@TempDir Path tmp) throws Exception {
    assertThatThrownBy(() -> FeatureSpecs.load(tmp.resolve("nope.textproto").toString()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("feature spec " + tmp.resolve("nope.textproto") + " not found: give a bundled spec name"
            + " (churn_v1) or the path of an mlproof.v1.FeatureSpec .textproto file");
    Path file = tmp.resolve("mine.textproto");
    Files.writeString(file, HEAD + "features { name: \"s7\" type: NUMERIC aggregation: \"sum_sessions\" window_days: 7 }\n");
    assertThat(FeatureSpecs.featureNames(FeatureSpecs.load(file.toString()))).containsExactly("s7");
  }
}
