package io.mlproof.orchestrator.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.orchestrator.testing.HarnessTest;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The page of the hand-made run with bad news ({@link ReportFixture}): a validation warning, an
 * unblessed model and an SRM flag are at the top, before any figure, each in an alert box; every
 * chart is drawn; nothing refers outside the file.
 */
class HtmlReportTest extends HarnessTest {
  private String html;

  @BeforeEach
  void render() {
    html =
        HtmlReport.render(
            ReportFigures.of(
                RunData.read(
                    ReportFixture.write(h), ReportFixture.DATE, h.store, h.settings.runRoot())));
  }

  @Test
  void badNewsComesFirstInAlertBoxes() {
    int verdicts = html.indexOf("<section id=\"verdicts\">");
    for (String alert :
        List.of(
            "Model NOT blessed.",
            "Validation warning: DRIFT in days_since_last_purchase.",
            "A/B sample ratio mismatch (SRM).",
            "Task score failed.")) {
      int at = html.indexOf(alert);
      assertThat(at).as(alert).isPositive().isLessThan(verdicts);
      assertThat(html.lastIndexOf("<div class=\"", at))
          .isEqualTo(html.lastIndexOf("<div class=\"alert ", at));
    }
    assertThat(html)
        .contains(
            "<div class=\"card bad\" id=\"card-blessed\"><div class=\"q\">Blessed for use?</div>"
                + "<div class=\"a\">No</div>");
    assertThat(html)
        .contains(
            "<div class=\"card bad\" id=\"card-ab\"><div class=\"q\">A/B test</div>"
                + "<div class=\"a\">No verdict (SRM)</div>");
    assertThat(html)
        .contains("<p class=\"srm bad\" id=\"srm\"><strong>Sample ratio check: MISMATCH</strong>");
    // While the split is broken the A/B verdict is not shown as a result.
    assertThat(html).doesNotContain("roll out");
  }

  @Test
  void everySectionAndChartIsThere() {
    for (String section : List.of("verdicts", "data", "model", "backtest", "ab", "run")) {
      assertThat(html).contains("<section id=\"" + section + "\">");
    }
    for (String chart :
        List.of(
            "chart-roc",
            "chart-pr",
            "chart-calibration",
            "chart-gains",
            "chart-importance",
            "chart-backtest-folds",
            "chart-backtest-save-rate",
            "chart-ab-arms")) {
      assertThat(html).contains("<svg id='" + chart + "'");
    }
    assertThat(html)
        .contains(
            "id=\"chart-confusion\"",
            "<td class=\"tp\">8<small>caught</small></td>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dag\"");
  }

  @Test
  void nothingOnThePageLeadsOutsideIt() {
    assertThat(html).doesNotContain("<script", "<link", "<img", "<iframe", "@import", "url(http");
    List<String> uris = new ArrayList<>();
    Matcher m = Pattern.compile("(\\S{0,20})((?:https?|ftp|file)://[^\"' )]*)").matcher(html);
    while (m.find()) {
      uris.add(m.group(1) + m.group(2));
    }
    // Only XML namespace names (xmlns="...", xmlns:x='...'), which are identifiers, never fetched.
    assertThat(uris)
        .isNotEmpty()
        .allMatch(u -> u.matches(".*xmlns(:\\w+)?=[\"'](?:https?)://.*"), "a namespace");
  }
}
