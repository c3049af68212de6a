package io.mlproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code mlproof ab plan|summary} through the real command line. */
class AbCommandTest {
  private String out;
  private String err;

  private int mlproof(String... args) {
    Cli.Result result = Cli.run(args);
    out = result.out();
    err = result.err();
    return result.exitCode();
  }

  @Test
  void planGivesStatsmodelsSizes() throws Exception {
    // statsmodels samplesize_proportions_2indep_onetail: 3840.85 per arm for 12% -> 10%
    // (SampleSizeTest).
    assertThat(mlproof("ab", "plan", "--base-rate", "0.12", "--mde", "0.02")).isZero();
    assertThat(out)
        .contains(
            "to detect a drop from 12.00% to 10.00% churn (2.00 points) with 80% power at alpha 0.05:")
        .contains("control                 3,841 entities (50.0%)")
        .contains("total                   7,682 entities");
    // 20% -> 17%, power 0.9, 90/10: control 17756.31 -> 17,757; treatment 17756.31 / 9 = 1972.92 ->
    // 1,973.
    assertThat(
            mlproof(
                "ab",
                "plan",
                "--base-rate",
                "0.2",
                "--mde",
                "0.15",
                "--relative",
                "--power",
                "0.9",
                "--allocation",
                "90/10",
                "--output",
                "json"))
        .isZero();
    JsonNode json = new ObjectMapper().readTree(out);
    assertThat(json.get("arms").get(0).get("entities").asLong()).isEqualTo(17757);
    assertThat(json.get("arms").get(1).get("entities").asLong()).isEqualTo(1973);
    assertThat(json.get("entities").asLong()).isEqualTo(17757 + 1973);
  }

  @Test
  void planReverseGivesTheMde() throws Exception {
    // 10,000 entities 50/50 at 12%: statsmodels' power solved by brentq gives 0.01761268956
    // (SampleSizeTest).
    assertThat(
            mlproof("ab", "plan", "--base-rate", "0.12", "--entities", "10000", "--output", "json"))
        .isZero();
    assertThat(new ObjectMapper().readTree(out).get("mde").asDouble())
        .isEqualTo(0.01761268956022666, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(mlproof("ab", "plan", "--base-rate", "0.12", "--entities", "10000")).isZero();
    assertThat(out)
        .startsWith("10,000 entities split control:0.5,treatment:0.5 detect a drop of 1.76 points");
  }

  @Test
  void summaryPrintsTheVerdictAndJson() throws Exception {
    assertThat(mlproof("ab", "summary", "--arm", "control=2500,400", "--arm", "treatment=2600,350"))
        .isZero();
    assertThat(out)
        .endsWith(
            "verdict: treatment lowered churn by 2.54 points (95% CI 0.59 to 4.48), p = 0.0105;"
                + " roll out"
                + System.lineSeparator());
    assertThat(
            mlproof(
                "ab",
                "summary",
                "--arm",
                "control=2500,400",
                "--arm",
                "treatment=2600,350",
                "--output",
                "json"))
        .isZero();
    JsonNode json = new ObjectMapper().readTree(out);
    assertThat(json.get("comparisons").get(0).get("pValue").asDouble())
        .isEqualTo(0.010503281161246096, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(json.get("saveRate").get("estimate").asDouble())
        .isEqualTo(0.15865384615384626, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(json.get("saveRate").has("ci95Low")).isTrue();
    assertThat(json.get("saveRate").get("definition").asText()).isNotEmpty();
  }

  @Test
  void summaryWithAnUnequalPlanChecksTheSampleRatio() {
    // 90/10 planned but 50/50 observed: chi-square huge, no verdict.
    assertThat(
            mlproof(
                "ab",
                "summary",
                "--arm",
                "control=5000,600",
                "--arm",
                "treatment=5000,500",
                "--allocation",
                "90/10"))
        .isZero();
    assertThat(out).contains("verdict: no verdict: sample ratio mismatch");
  }

  @Test
  void badInputExitsTwoWithOneLine() {
    assertThat(mlproof("ab", "summary", "--arm", "control=10,20", "--arm", "treatment=10,1"))
        .isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "mlproof: --arm control=10,20: need at least one entity and no more churners than"
                + " entities"
                + System.lineSeparator());
    assertThat(mlproof("ab", "summary", "--arm", "control=10", "--arm", "treatment=10,1"))
        .isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "mlproof: --arm control=10 is not NAME=ENTITIES,CHURNERS (e.g. control=5000,600)"
                + System.lineSeparator());
    assertThat(mlproof("ab", "summary", "--arm", "control=10,1")).isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "mlproof: an experiment needs at least two arms (control first), got 1"
                + System.lineSeparator());
    assertThat(
            mlproof("ab", "plan", "--base-rate", "0.12", "--mde", "0.02", "--allocation", "90/x"))
        .isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "mlproof: allocation '90/x': 'x' is not a number (write it as 50/50, 90/10 or"
                + " control:80,email:10,discount:10)"
                + System.lineSeparator());
    assertThat(mlproof("ab", "plan", "--base-rate", "0.12", "--mde", "0.2")).isEqualTo(2);
    assertThat(err)
        .hasLineCount(1)
        .startsWith("mlproof: --mde 0.2 must be a drop between 0 and the base rate 0.12");
    assertThat(mlproof("ab", "plan", "--base-rate", "0.12")).isEqualTo(2);
    assertThat(err).hasLineCount(1).contains("--mde").contains("--entities");
  }

  @Test
  void simulateExperimentNeedsAWarehouse() {
    assertThat(
            mlproof(
                "demo",
                "simulate-experiment",
                "--path",
                "/nonexistent/w.duckdb",
                "--experiment",
                "e",
                "--assigned-on",
                "2024-04-01"))
        .isEqualTo(2);
    assertThat(err)
        .isEqualTo(
            "mlproof: --path /nonexistent/w.duckdb is not a DuckDB file: run `mlproof demo init`"
                + " first"
                + System.lineSeparator());
  }

  @Test
  void everyCommandAnswersHelp() {
    assertThat(mlproof("ab", "--help")).isZero();
    assertThat(out).contains("plan", "summary");
    assertThat(mlproof("ab", "plan", "--help")).isZero();
    assertThat(out).contains("--base-rate", "--mde", "--entities", "--allocation", "Fleiss");
    assertThat(mlproof("ab", "summary", "--help")).isZero();
    assertThat(out).contains("--arm=NAME=N,X", "--allocation");
    assertThat(mlproof("demo", "simulate-experiment", "--help")).isZero();
    assertThat(out).contains("--save-rate", "--assigned-on", "--experiment");
  }
}
