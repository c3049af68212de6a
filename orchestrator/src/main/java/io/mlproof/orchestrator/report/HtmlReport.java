package io.mlproof.orchestrator.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The report page: one self-contained HTML file (inline CSS and SVG, no script, nothing fetched),
 * drawn from {@code report.json} alone. Answers first: the verdicts and every alert, then the data,
 * the model, the backtest and the A/B test when the run has them, and the run itself.
 */
public final class HtmlReport {
  /** Normal quantile of 0.975, for the per-arm Wald intervals of the A/B chart. */
  private static final double Z95 = 1.959963984540054;

  private static final int TOP_FEATURES = 15;

  private HtmlReport() {}

  public static String render(JsonNode r) {
    StringBuilder h = new StringBuilder(64 * 1024);
    String title =
        "mlproof report: " + r.path("dagId").asText() + " " + r.path("logicalDate").asText();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>")
        .append(Html.text(title))
        .append("</title><style>")
        .append(CSS)
        .append("</style></head><body>");
    h.append("<header><h1>").append(Html.text(title)).append("</h1>");
    h.append("<p class=\"headline\" id=\"headline\">")
        .append(Html.text(r.path("headline").asText()))
        .append("</p>");
    alerts(h, r.path("alerts"));
    h.append("</header><main>");
    verdicts(h, r);
    data(h, r.path("data"));
    if (r.has("model")) {
      model(h, r.path("model"));
    }
    if (r.has("backtest")) {
      backtest(h, r.path("backtest").path("source"));
    }
    if (r.has("ab")) {
      ab(h, r.path("ab").path("source"));
    }
    run(h, r.path("run"));
    h.append(
        "</main><footer>Written by <code>mlproof report</code>; every figure on this page is also in"
            + " <code>report.json</code> beside it.</footer></body></html>\n");
    return h.toString();
  }

  private static void alerts(StringBuilder h, JsonNode alerts) {
    if (alerts.isEmpty()) {
      h.append(
          "<div class=\"alert ok\" id=\"no-alerts\"><strong>No warnings.</strong> Every task succeeded,"
              + " validation found no anomaly.</div>");
      return;
    }
    h.append("<div id=\"alerts\">");
    for (JsonNode a : alerts) {
      h.append("<div class=\"alert ")
          .append(Html.attr(a.path("level").asText()))
          .append("\" role=\"alert\"><strong>")
          .append(a.path("level").asText().equals("bad") ? "⚠ " : "! ")
          .append(Html.text(a.path("title").asText()))
          .append(".</strong> ")
          .append(Html.text(a.path("text").asText()))
          .append("</div>");
    }
    h.append("</div>");
  }

  // ---- verdicts -------------------------------------------------------------------------------

  private static void verdicts(StringBuilder h, JsonNode r) {
    JsonNode v = r.path("verdicts");
    h.append("<section id=\"verdicts\"><h2>Verdicts</h2><div class=\"cards\">");
    JsonNode interval = v.path("leadInterval");
    for (JsonNode a : v.path("against")) {
      String kind = a.path("kind").asText();
      if (kind.equals("random targeting")) {
        continue;
      }
      boolean beaten = a.path("beaten").asBoolean();
      String lead = String.format(Locale.ROOT, "%+.3f F1", a.path("lead").asDouble());
      String best =
          a.path("baseline").asText().equals(v.path("bestBaseline").asText()) && interval.isObject()
              ? String.format(
                  Locale.ROOT,
                  " (95%% CI %+.3f to %+.3f)",
                  interval.path("low").asDouble(),
                  interval.path("high").asDouble())
              : "";
      card(
          h,
          "card-" + kind.replace(' ', '-'),
          "Beats the " + kind + "?",
          beaten ? "Yes" : "No",
          beaten ? "good" : "bad",
          "Model F1 "
              + Html.num3(v.path("modelF1").asDouble())
              + " vs "
              + Html.num3(a.path("baselineF1").asDouble())
              + " ("
              + a.path("baseline").asText()
              + "): "
              + lead
              + best
              + " at the "
              + v.path("operatingPoint").asText()
              + " operating point.");
    }
    if (v.path("blessed").isBoolean()) {
      boolean blessed = v.path("blessed").asBoolean();
      card(
          h,
          "card-blessed",
          "Blessed for use?",
          blessed ? "Yes" : "No",
          blessed ? "good" : "bad",
          v.path("blessingSummary").asText(v.path("summary").asText()));
    } else {
      card(
          h,
          "card-blessed",
          "Blessed for use?",
          "Unknown",
          "warn",
          "The bless task did not finish in this run.");
    }
    JsonNode bt = r.path("backtest").path("source");
    if (!bt.isMissingNode()) {
      JsonNode model = strategy(bt.path("aggregate"), "model");
      JsonNode ci = model.path("netValueCi95");
      card(
          h,
          "card-backtest",
          "Backtest value (per campaign)",
          Html.amount(model.path("netValue").asDouble(Double.NaN)),
          model.path("netValue").asDouble(0) > 0 ? "good" : "bad",
          "Mean net value of targeting with the model over "
              + bt.path("aggregate").path("completeFolds").asInt()
              + " complete folds"
              + (ci.isObject()
                  ? ", 95% CI "
                      + Html.amount(ci.path("low").asDouble())
                      + " to "
                      + Html.amount(ci.path("high").asDouble())
                  : "")
              + "; it assumes a save rate of "
              + Html.pct(bt.path("campaign").path("saveRate").asDouble(Double.NaN))
              + ".");
    }
    JsonNode ab = r.path("ab").path("source");
    if (!ab.isMissingNode()) {
      boolean srm = r.path("ab").path("srmFlagged").asBoolean();
      card(
          h,
          "card-ab",
          "A/B test",
          srm ? "No verdict (SRM)" : "Result",
          srm ? "bad" : "neutral",
          srm
              ? "Sample ratio mismatch: the split is broken, so the outcome cannot be read."
              : ab.path("verdict").asText("no verdict recorded"));
    }
    h.append("</div>");
    if (v.has("summary")) {
      h.append("<p class=\"summary\">")
          .append(Html.text(v.path("summary").asText()))
          .append("</p>");
    }
    h.append("</section>");
  }

  private static void card(
      StringBuilder h, String id, String question, String answer, String tone, String detail) {
    h.append("<div class=\"card ")
        .append(tone)
        .append("\" id=\"")
        .append(Html.attr(id))
        .append("\"><div class=\"q\">")
        .append(Html.text(question))
        .append("</div><div class=\"a\">")
        .append(Html.text(answer))
        .append("</div><div class=\"d\">")
        .append(Html.text(detail))
        .append("</div></div>");
  }

  // ---- data -----------------------------------------------------------------------------------

  private static void data(StringBuilder h, JsonNode d) {
    h.append("<section id=\"data\"><h2>Data</h2>");
    if (d.has("examples")) {
      List<String> cutoffs = new ArrayList<>();
      d.path("cutoffs").forEach(c -> cutoffs.add(c.asText()));
      h.append("<p><strong>")
          .append(Html.amount(d.path("examples").asDouble()))
          .append("</strong> examples at ")
          .append(cutoffs.size())
          .append(" cutoff")
          .append(cutoffs.size() == 1 ? "" : "s")
          .append(" (")
          .append(Html.text(String.join(", ", cutoffs)))
          .append("); label rate <strong>")
          .append(Html.pct(d.path("labelRate").asDouble(Double.NaN)))
          .append("</strong> (")
          .append(Html.amount(d.path("positives").asDouble()))
          .append(" positives of ")
          .append(Html.amount(d.path("labeledExamples").asDouble()))
          .append(" labelled).</p>");
    }
    JsonNode v = d.path("validation");
    if (v.isObject()) {
      h.append("<h3>Validation: ")
          .append(v.path("passed").asBoolean() ? "passed" : "FAILED")
          .append("</h3>");
      if (v.path("anomalies").isEmpty()) {
        h.append("<p>No anomaly.</p>");
      } else {
        h.append("<ul class=\"anomalies\">");
        v.path("anomalies")
            .forEach(
                a ->
                    h.append("<li><strong>")
                        .append(Html.text(a.path("kind").asText()))
                        .append("</strong> ")
                        .append(Html.text(a.path("message").asText()))
                        .append("</li>"));
        h.append("</ul>");
      }
      if (!v.path("notes").isEmpty()) {
        h.append("<ul class=\"notes\">");
        v.path("notes")
            .forEach(n -> h.append("<li>").append(Html.text(n.asText())).append("</li>"));
        h.append("</ul>");
      }
    }
    if (!d.path("features").isEmpty()) {
      h.append(
          "<h3>Feature statistics</h3><div class=\"scroll\"><table id=\"feature-statistics\"><thead><tr>"
              + "<th>feature</th><th>present</th><th>missing</th><th>min</th><th>median</th><th>mean</th><th>max</th>"
              + "</tr></thead><tbody>");
      for (JsonNode f : d.path("features")) {
        h.append("<tr><td>")
            .append(Html.text(f.path("feature").asText()))
            .append("</td><td>")
            .append(Html.amount(f.path("present").asDouble()))
            .append("</td><td>")
            .append(Html.pct(f.path("missingShare").asDouble()))
            .append("</td>");
        for (String k : List.of("min", "median", "mean", "max")) {
          h.append("<td>").append(Html.value(f.path(k).asDouble(Double.NaN))).append("</td>");
        }
        h.append("</tr>");
      }
      h.append("</tbody></table></div>");
    }
    h.append("</section>");
  }

  // ---- model ----------------------------------------------------------------------------------

  private static void model(StringBuilder h, JsonNode m) {
    h.append("<section id=\"model\"><h2>Model</h2>");
    h.append("<p>Measured on ")
        .append(Html.amount(m.path("evaluationRows").asDouble()))
        .append(" held-out rows (")
        .append(Html.amount(m.path("evaluationPositives").asDouble()))
        .append(" positives) that the model never trained on.</p>");
    h.append(
        "<div class=\"scroll\"><table id=\"metrics\"><thead><tr><th></th><th>targeted</th><th>precision</th>"
            + "<th>recall</th><th>F1</th><th>ROC-AUC</th><th>PR-AUC</th><th>Brier</th></tr></thead><tbody>");
    for (JsonNode row : m.path("metrics")) {
      h.append("<tr")
          .append(row.path("name").asText().equals("model") ? " class=\"model\"" : "")
          .append("><td>")
          .append(Html.text(row.path("name").asText()))
          .append("</td><td>")
          .append(Html.pct(row.path("targetedFraction").asDouble()))
          .append("</td>");
      for (String k : List.of("precision", "recall", "f1", "rocAuc", "prAuc", "brier")) {
        h.append("<td>").append(Html.num3(row.path(k).asDouble(Double.NaN))).append("</td>");
      }
      h.append("</tr>");
    }
    h.append("</tbody></table></div><div class=\"charts\">");
    if (m.has("roc")) {
      JsonNode roc = m.path("roc");
      figure(
          h,
          Charts.unitXy(
              "chart-roc",
              "ROC curve (AUC " + Html.num3(roc.path("auc").asDouble()) + ")",
              "false-positive rate",
              "true-positive rate (recall)",
              List.of(
                  new Charts.Line("model", points(roc.path("points")), false, false),
                  new Charts.Line(
                      "random ranking",
                      List.of(new Curves.Point(0, 0), new Curves.Point(1, 1)),
                      true,
                      false)),
              marks(roc.path("markers"))),
          "How many churners the model finds (up) for how many loyal customers it flags by mistake (right)."
              + " Squares: where the model and the tuned heuristic actually operate.");
      JsonNode pr = m.path("precisionRecall");
      double base = pr.path("baseRate").asDouble();
      figure(
          h,
          Charts.unitXy(
              "chart-pr",
              "Precision-recall (average precision "
                  + Html.num3(pr.path("averagePrecision").asDouble())
                  + ")",
              "recall",
              "precision",
              List.of(
                  new Charts.Line("model", points(pr.path("points")), false, false),
                  new Charts.Line(
                      "base rate",
                      List.of(new Curves.Point(0, base), new Curves.Point(1, base)),
                      true,
                      false)),
              marks(pr.path("markers"))),
          "Of the customers flagged, the share who really churn (precision), as the model reaches more churners.");
    }
    List<Curves.Point> predicted = new ArrayList<>();
    for (JsonNode b : m.path("calibration")) {
      predicted.add(
          new Curves.Point(b.path("meanPredicted").asDouble(), b.path("observedRate").asDouble()));
    }
    figure(
        h,
        Charts.unitXy(
            "chart-calibration",
            "Calibration (deciles of predicted risk)",
            "predicted churn probability",
            "observed churn rate",
            List.of(
                new Charts.Line("model", predicted, false, true),
                new Charts.Line(
                    "perfect calibration",
                    List.of(new Curves.Point(0, 0), new Curves.Point(1, 1)),
                    true,
                    false)),
            List.of()),
        "When the model says 30%, about 30% should churn: points on the dashed line.");
    if (m.has("gains")) {
      JsonNode gains = m.path("gains");
      StringBuilder lifts = new StringBuilder();
      for (JsonNode mark : gains.path("markers")) {
        if (mark.path("name").asText().equals("model")) {
          lifts.append(
              String.format(
                  Locale.ROOT,
                  " top %s: %s of churners, lift %.2f;",
                  Html.pct(mark.path("x").asDouble()),
                  Html.pct(mark.path("y").asDouble()),
                  mark.path("lift").asDouble()));
        }
      }
      figure(
          h,
          Charts.unitXy(
              "chart-gains",
              "Cumulative gains",
              "share of customers contacted (highest risk first)",
              "share of churners reached",
              List.of(
                  new Charts.Line("model", points(gains.path("points")), false, false),
                  new Charts.Line(
                      "random targeting",
                      List.of(new Curves.Point(0, 0), new Curves.Point(1, 1)),
                      true,
                      false)),
              List.of()),
          "Contacting the riskiest customers first:" + lifts.toString().replaceAll(";$", "."));
    }
    confusion(h, m.path("confusion"));
    List<String> names = new ArrayList<>();
    List<Double> shares = new ArrayList<>();
    for (JsonNode f : m.path("importance")) {
      if (names.size() < TOP_FEATURES) {
        names.add(f.path("feature").asText());
        shares.add(f.path("share").asDouble());
      }
    }
    if (!names.isEmpty()) {
      figure(
          h,
          Charts.horizontalBars(
              "chart-importance",
              "Feature importance (share of total gain)",
              "share of gain",
              names,
              shares),
          "What the model leans on most (LightGBM split gain), top " + names.size() + ".");
    }
    h.append("</div></section>");
  }

  private static void confusion(StringBuilder h, JsonNode c) {
    long tp = c.path("truePositives").asLong();
    long fp = c.path("falsePositives").asLong();
    long fn = c.path("falseNegatives").asLong();
    long tn = c.path("trueNegatives").asLong();
    h.append(
            "<figure class=\"chart\" id=\"chart-confusion\"><table class=\"confusion\"><caption>Confusion matrix at"
                + " threshold ")
        .append(Html.value(c.path("threshold").asDouble()))
        .append(" (")
        .append(Html.pct(c.path("targetedFraction").asDouble()))
        .append(" targeted)</caption>")
        .append("<tr><th></th><th>churned</th><th>stayed</th></tr>")
        .append("<tr><th>flagged</th><td class=\"tp\">")
        .append(Html.amount(tp))
        .append("<small>caught</small></td>")
        .append("<td class=\"fp\">")
        .append(Html.amount(fp))
        .append("<small>false alarms</small></td></tr>")
        .append("<tr><th>not flagged</th><td class=\"fn\">")
        .append(Html.amount(fn))
        .append("<small>missed</small></td>")
        .append("<td class=\"tn\">")
        .append(Html.amount(tn))
        .append("<small>left alone</small></td></tr></table>")
        .append(
            "<figcaption>Who the model flags at its operating threshold, against what happened.</figcaption></figure>");
  }

  // ---- backtest -------------------------------------------------------------------------------

  private static void backtest(StringBuilder h, JsonNode b) {
    h.append("<section id=\"backtest\"><h2>Backtest</h2>");
    h.append("<p>")
        .append(
            Html.text(
                String.format(
                    Locale.ROOT,
                    "Walk-forward over %d folds (%d complete), horizon %d"
                        + " days, capacity %s, save rate %s.",
                    b.path("folds").size(),
                    b.path("aggregate").path("completeFolds").asInt(),
                    b.path("horizonDays").asInt(),
                    b.path("campaign").path("capacity").asText("?"),
                    Html.pct(b.path("campaign").path("saveRate").asDouble(Double.NaN)))))
        .append("</p>");
    DefaultCategoryDataset perFold = new DefaultCategoryDataset();
    for (JsonNode fold : b.path("folds")) {
      String cutoff =
          fold.path("cutoff").asText()
              + (fold.path("complete").asBoolean(false) ? "" : " (incomplete)");
      for (JsonNode s : fold.path("strategies")) {
        perFold.addValue(s.path("netValue").asDouble(0), s.path("name").asText(), cutoff);
      }
    }
    h.append("<div class=\"charts\">");
    figure(
        h,
        Charts.groupedBars("chart-backtest-folds", "Net value per fold", "net value", perFold),
        "What each way of choosing whom to contact would have earned after each cutoff; the oracle is the ceiling.");
    JsonNode model = strategy(b.path("aggregate"), "model");
    List<Charts.Line> lines = new ArrayList<>();
    for (JsonNode s : b.path("aggregate").path("strategies")) {
      List<Curves.Point> grid = new ArrayList<>();
      s.path("saveRateGrid")
          .forEach(
              p ->
                  grid.add(
                      new Curves.Point(
                          p.path("saveRate").asDouble(), p.path("netValue").asDouble())));
      if (!grid.isEmpty()) {
        lines.add(new Charts.Line(s.path("name").asText(), grid, false, true));
      }
    }
    if (!lines.isEmpty()) {
      Double breakEven =
          model.path("breakEvenSaveRate").isNumber()
              ? model.path("breakEvenSaveRate").asDouble()
              : null;
      figure(
          h,
          Charts.xy(
              "chart-backtest-save-rate",
              "Save-rate sensitivity",
              "save rate (share of reached churners kept)",
              "mean net value",
              lines,
              breakEven,
              breakEven == null ? null : "model break-even " + Html.pct(breakEven)),
          "The save rate is an assumption until an A/B test measures it"
              + (breakEven == null
                  ? "."
                  : "; the model's campaign pays from a save rate of "
                      + Html.pct(breakEven)
                      + "."));
    }
    h.append(
        "</div><div class=\"scroll\"><table id=\"backtest-aggregate\"><thead><tr><th>strategy</th><th>contacted</th>"
            + "<th>churners reached</th><th>expected retained</th><th>net value</th><th>95% CI</th><th>ROI</th></tr></thead><tbody>");
    for (JsonNode s : b.path("aggregate").path("strategies")) {
      JsonNode ci = s.path("netValueCi95");
      h.append("<tr><td>")
          .append(Html.text(s.path("name").asText()))
          .append("</td><td>")
          .append(Html.amount(s.path("contacted").asDouble()))
          .append("</td><td>")
          .append(Html.amount(s.path("churnersReached").asDouble()))
          .append("</td><td>")
          .append(Html.amount(s.path("expectedRetained").asDouble()))
          .append("</td><td>")
          .append(Html.amount(s.path("netValue").asDouble()))
          .append("</td><td>")
          .append(
              ci.isObject()
                  ? Html.amount(ci.path("low").asDouble())
                      + " to "
                      + Html.amount(ci.path("high").asDouble())
                  : "–")
          .append("</td><td>")
          .append(Html.pct(s.path("roi").asDouble()))
          .append("</td></tr>");
    }
    h.append("</tbody></table></div>");
    if (b.path("caveat").isTextual()) {
      h.append("<p class=\"caveat\">").append(Html.text(b.path("caveat").asText())).append("</p>");
    }
    h.append("</section>");
  }

  private static JsonNode strategy(JsonNode parent, String name) {
    for (JsonNode s : parent.path("strategies")) {
      if (s.path("name").asText().equals(name)) {
        return s;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  // ---- A/B ------------------------------------------------------------------------------------

  private static void ab(StringBuilder h, JsonNode a) {
    h.append("<section id=\"ab\"><h2>A/B test</h2>");
    JsonNode srm = a.path("srm");
    boolean flagged = srm.path("flagged").asBoolean(false);
    h.append("<p class=\"")
        .append(flagged ? "srm bad" : "srm")
        .append("\" id=\"srm\"><strong>Sample ratio check: ")
        .append(flagged ? "MISMATCH" : "ok")
        .append("</strong> (chi-square ")
        .append(Html.value(srm.path("chiSquare").asDouble()))
        .append(", p = ")
        .append(Html.value(srm.path("pValue").asDouble()))
        .append(").</p>");
    if (!flagged && a.path("verdict").isTextual()) {
      h.append("<p class=\"summary\">")
          .append(Html.text(a.path("verdict").asText()))
          .append("</p>");
    }
    List<String> arms = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    List<Double> half = new ArrayList<>();
    for (JsonNode arm : a.path("arms")) {
      double n = arm.path("entities").asDouble();
      double p = arm.path("churnRate").asDouble();
      arms.add(arm.path("arm").asText() + " (n=" + Html.amount(n) + ")");
      rates.add(p);
      half.add(n > 0 ? Z95 * Math.sqrt(p * (1 - p) / n) : 0);
    }
    h.append("<div class=\"charts\">");
    if (!arms.isEmpty()) {
      figure(
          h,
          Charts.barsWithIntervals(
              "chart-ab-arms",
              "Churn rate per arm (95% Wald interval)",
              "churn rate",
              arms,
              rates,
              half),
          "Each arm's churn rate over the experiment, with its 95% interval.");
    }
    h.append(
        "</div><div class=\"scroll\"><table id=\"ab-comparisons\"><thead><tr><th>comparison</th><th>difference</th>"
            + "<th>95% CI</th><th>relative lift</th><th>95% CI</th><th>p (Holm)</th><th>power</th><th>MDE</th></tr></thead><tbody>");
    Set<String> seen = new LinkedHashSet<>();
    for (String key : List.of("comparisons", "flaggedComparisons")) {
      for (JsonNode c : a.path(key)) {
        String name =
            (key.equals("flaggedComparisons") ? "flagged only: " : "")
                + c.path("treatment").asText()
                + " vs "
                + c.path("control").asText();
        if (!seen.add(name)) {
          continue;
        }
        h.append("<tr><td>")
            .append(Html.text(name))
            .append("</td><td>")
            .append(Html.pct(c.path("difference").asDouble()))
            .append("</td><td>")
            .append(Html.pct(c.path("differenceCi95Low").asDouble()))
            .append(" to ")
            .append(Html.pct(c.path("differenceCi95High").asDouble()))
            .append("</td><td>")
            .append(Html.pct(c.path("relativeLift").asDouble()))
            .append("</td><td>")
            .append(Html.pct(c.path("relativeLiftCi95Low").asDouble()))
            .append(" to ")
            .append(Html.pct(c.path("relativeLiftCi95High").asDouble()))
            .append("</td><td>")
            .append(Html.value(c.path("pValueHolm").asDouble(c.path("pValue").asDouble())))
            .append("</td><td>")
            .append(Html.pct(c.path("achievedPower").asDouble()))
            .append("</td><td>")
            .append(Html.pct(c.path("mde").asDouble()))
            .append("</td></tr>");
      }
    }
    h.append("</tbody></table></div>");
    JsonNode save = a.path("saveRate");
    if (save.isObject()) {
      h.append("<p>Measured save rate: <strong>")
          .append(Html.pct(save.path("estimate").asDouble()))
          .append("</strong> (95% CI ")
          .append(Html.pct(save.path("ci95Low").asDouble()))
          .append(" to ")
          .append(Html.pct(save.path("ci95High").asDouble()))
          .append("). ")
          .append(Html.text(save.path("definition").asText("")))
          .append("</p>");
    }
    h.append("</section>");
  }

  // ---- the run --------------------------------------------------------------------------------

  private static void run(StringBuilder h, JsonNode run) {
    h.append("<section id=\"run\"><h2>The run</h2><p>");
    h.append("State <strong>")
        .append(Html.text(run.path("state").asText("unknown")))
        .append("</strong>, ")
        .append(Html.text(run.path("runType").asText("")))
        .append(" run on the <strong>")
        .append(Html.text(run.path("runner").asText()))
        .append("</strong> runner");
    if (run.has("start")) {
      h.append(", started ").append(Html.text(run.path("start").asText()));
    }
    if (run.has("modelId")) {
      h.append("; model <code>").append(Html.text(run.path("modelId").asText())).append("</code>");
    }
    h.append(".</p><figure class=\"chart wide\" id=\"chart-dag\">")
        .append(DagLayout.svg(run.path("tasks")))
        .append(
            "<figcaption>The DAG: each box is a task with its state and duration.</figcaption></figure>");
    h.append(
        "<div class=\"scroll\"><table id=\"tasks\"><thead><tr><th>task</th><th>state</th><th>tries</th><th>duration</th>"
            + "<th>pipeline</th><th>runner</th><th>input query SHA-256</th><th>message</th></tr></thead><tbody>");
    for (JsonNode t : run.path("tasks")) {
      h.append("<tr class=\"state-")
          .append(Html.attr(t.path("state").asText()))
          .append("\"><td>")
          .append(Html.text(t.path("id").asText()))
          .append("</td><td>")
          .append(Html.text(t.path("state").asText()))
          .append("</td><td>")
          .append(t.path("tries").asInt())
          .append("</td><td>")
          .append(
              t.has("durationS")
                  ? String.format(Locale.ROOT, "%.1f s", t.path("durationS").asDouble())
                  : "–")
          .append("</td><td>")
          .append(Html.text(t.path("pipeline").asText(t.path("kind").asText())))
          .append("</td><td>")
          .append(Html.text(t.path("stageRunner").asText("")))
          .append("</td><td><code>")
          .append(Html.text(t.path("querySha256").asText("")))
          .append("</code></td><td>")
          .append(Html.text(t.path("message").asText("")))
          .append("</td></tr>");
    }
    h.append("</tbody></table></div></section>");
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static void figure(StringBuilder h, String svg, String caption) {
    h.append("<figure class=\"chart\">")
        .append(svg)
        .append("<figcaption>")
        .append(Html.text(caption))
        .append("</figcaption></figure>");
  }

  private static List<Curves.Point> points(JsonNode xy) {
    List<Curves.Point> out = new ArrayList<>();
    xy.forEach(p -> out.add(new Curves.Point(p.get(0).asDouble(), p.get(1).asDouble())));
    return out;
  }

  private static List<Charts.Mark> marks(JsonNode markers) {
    List<Charts.Mark> out = new ArrayList<>();
    markers.forEach(
        m ->
            out.add(
                new Charts.Mark(
                    m.path("name").asText(), m.path("x").asDouble(), m.path("y").asDouble())));
    return out;
  }

  private static final String CSS =
      """
      :root{--ink:#1b2330;--muted:#5b6573;--line:#e3e6eb;--good:#2f9e5a;--bad:#c93434;--warn:#c99a06}
      *{box-sizing:border-box}
      body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:#f6f7f9}
      header,main,footer{max-width:1180px;margin:0 auto;padding:0 24px}
      header{padding-top:22px}
      h1{font-size:22px;margin:0 0 8px}
      h2{font-size:19px;margin:0 0 12px;padding-bottom:6px;border-bottom:2px solid var(--line)}
      h3{font-size:16px;margin:16px 0 6px}
      section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin:18px 0}
      .headline{font-size:18px;font-weight:600;margin:0 0 12px}
      .alert{border-radius:8px;padding:10px 14px;margin:8px 0;border-left:6px solid}
      .alert.bad{background:#fde8e8;border-color:var(--bad)}
      .alert.warn{background:#fff6d6;border-color:var(--warn)}
      .alert.ok{background:#e4f5ea;border-color:var(--good)}
      .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:12px}
      .card{border:1px solid var(--line);border-top:6px solid var(--muted);border-radius:8px;padding:12px 14px}
      .card.good{border-top-color:var(--good)} .card.bad{border-top-color:var(--bad);background:#fff7f7}
      .card.warn{border-top-color:var(--warn)}
      .card .q{color:var(--muted);font-size:13px;text-transform:uppercase;letter-spacing:.03em}
      .card .a{font-size:26px;font-weight:700;margin:2px 0}
      .card.good .a{color:var(--good)} .card.bad .a{color:var(--bad)}
      .card .d{font-size:13.5px;color:#3d4757}
      .summary{background:#f3f5f8;border-radius:8px;padding:10px 14px}
      .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(430px,1fr));gap:16px;margin-top:14px}
      figure.chart{margin:0;border:1px solid var(--line);border-radius:8px;padding:8px;background:#fff}
      figure.chart svg{width:100%;height:auto;display:block}
      figure.wide svg{width:auto;max-width:100%}
      figcaption{font-size:13px;color:var(--muted);padding:4px 6px 0}
      table{border-collapse:collapse;font-size:13.5px;width:100%}
      th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
      th:first-child,td:first-child{text-align:left}
      thead th{background:#f3f5f8}
      tr.model td{font-weight:700}
      tr.state-failed td,tr.state-upstream_failed td{color:var(--bad);font-weight:600}
      .scroll{overflow-x:auto}
      table.confusion{width:auto;margin:30px auto;font-size:15px}
      table.confusion td{width:150px;height:80px;text-align:center;font-size:22px;font-weight:700}
      table.confusion small{display:block;font-size:12px;font-weight:400;color:var(--muted)}
      table.confusion caption{font-weight:600;margin-bottom:8px}
      td.tp,td.tn{background:#e4f5ea} td.fp,td.fn{background:#fde8e8}
      .srm.bad{color:var(--bad);font-size:17px}
      ul.anomalies li{color:var(--bad)}
      .caveat{color:var(--muted);font-style:italic}
      code{font-size:12.5px;word-break:break-all;white-space:normal}
      footer{color:var(--muted);font-size:13px;padding-bottom:30px}
      """;
}
