package io.mlproof.orchestrator.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlproof.orchestrator.dag.TaskDef;
import io.mlproof.orchestrator.state.TaskInstance;
import io.mlproof.pipelines.evaluate.Verdicts;
import io.mlproof.proto.v1.Anomaly;
import io.mlproof.proto.v1.CalibrationBin;
import io.mlproof.proto.v1.ClassificationMetrics;
import io.mlproof.proto.v1.ConfusionMatrix;
import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.EvaluationResult;
import io.mlproof.proto.v1.FeatureImportance;
import io.mlproof.proto.v1.FeatureStatistics;
import io.mlproof.proto.v1.LiftPoint;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.ValidationReport;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Every figure of the report as one JSON document ({@code report.json}); the HTML page is drawn
 * from this document alone, so the page and the JSON cannot disagree.
 */
public final class ReportFigures {
  /** Points of a curve kept for drawing and for the JSON. */
  static final int CURVE_POINTS = 200;

  private static final ObjectMapper JSON = new ObjectMapper();

  private ReportFigures() {}

  public static ObjectNode of(RunData data) {
    ObjectNode root = JSON.createObjectNode();
    root.put("dagId", data.dag().dagId());
    root.put("logicalDate", data.logicalDate().toString());
    ArrayNode alerts = root.putArray("alerts");
    root.set("verdicts", verdicts(data, alerts));
    root.set("data", data(data, alerts));
    data.evaluation().ifPresent(e -> root.set("model", model(e, data.predictions())));
    data.backtest().ifPresent(b -> root.set("backtest", backtest(b)));
    data.analysis().ifPresent(a -> root.set("ab", ab(a, alerts)));
    root.set("run", run(data, alerts));
    root.put("headline", headline(root));
    return root;
  }

  // ---- verdicts -------------------------------------------------------------------------------

  private static ObjectNode verdicts(RunData data, ArrayNode alerts) {
    ObjectNode v = JSON.createObjectNode();
    data.evaluation()
        .ifPresentOrElse(
            e -> {
              ClassificationMetrics model = e.getModel();
              v.put("summary", e.getVerdict().getSummary());
              v.put("metric", "F1");
              v.put(
                  "operatingPoint",
                  model.getOperatingPoint().getRule().name().toLowerCase(Locale.ROOT));
              v.put("modelF1", model.getF1());
              v.put("requiredMargin", e.getVerdict().getRequiredMargin());
              v.put("bestBaseline", Verdicts.bestBaseline(e).getName());
              ArrayNode against = v.putArray("against");
              for (ClassificationMetrics b : e.getBaselinesList()) {
                against
                    .addObject()
                    .put("baseline", b.getName())
                    .put("kind", kind(b.getName()))
                    .put("baselineF1", b.getF1())
                    .put("lead", model.getF1() - b.getF1())
                    .put("beaten", model.getF1() > b.getF1());
              }
              interval(data.evaluationJson().orElse(null)).ifPresent(i -> v.set("leadInterval", i));
            },
            () ->
                alerts.add(
                    alert(
                        "bad",
                        "No model evaluation",
                        "The train task left no evaluation.json: "
                            + stateOf(data, "train")
                            + ".")));
    data.blessing()
        .ifPresentOrElse(
            b -> {
              v.put("blessed", b.getBlessed());
              v.put("blessingSummary", b.getSummary());
              ArrayNode reasons = v.putArray("blessingReasons");
              b.getReasonsList().forEach(reasons::add);
              if (!b.getBlessed()) {
                alerts.add(
                    alert(
                        "bad",
                        "Model NOT blessed",
                        b.getSummary()
                            + (b.getReasonsCount() == 0
                                ? ""
                                : " Reasons: " + String.join("; ", b.getReasonsList()) + ".")
                            + " It is not used for scoring."));
              }
            },
            () -> {
              if (data.evaluation().isPresent()
                  && !data.evaluation().get().getVerdict().getBlessed()) {
                v.put("blessed", false);
                alerts.add(
                    alert(
                        "bad",
                        "Model NOT blessed",
                        data.evaluation().get().getVerdict().getSummary()
                            + " (the bless task "
                            + stateOf(data, "bless")
                            + ")."));
              } else {
                v.putNull("blessed");
              }
            });
    return v;
  }

  /** The baseline family, for plain words: the status quo, random targeting or the tuned rule. */
  static String kind(String baseline) {
    if (baseline.equals("status_quo")) {
      return "status quo";
    }
    if (baseline.equals("random")) {
      return "random targeting";
    }
    return baseline.startsWith("heuristic:") ? "tuned heuristic" : baseline;
  }

  /**
   * The bootstrap interval of the model's lead, when training wrote one: any object under the
   * evaluation holding a 95% interval of the lead ({@code ci95Low}/{@code ci95High} or {@code
   * low}/{@code high}).
   */
  static Optional<ObjectNode> interval(JsonNode evaluation) {
    if (evaluation == null) {
      return Optional.empty();
    }
    for (String key : List.of("lead", "leadF1", "bootstrap", "leadInterval", "uncertainty")) {
      JsonNode node = evaluation.path(key);
      Optional<ObjectNode> found = lowHigh(node);
      if (found.isPresent()) {
        return found;
      }
      if (node.isObject()) {
        for (JsonNode child : node) {
          found = lowHigh(child);
          if (found.isPresent()) {
            return found;
          }
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<ObjectNode> lowHigh(JsonNode node) {
    if (!node.isObject()) {
      return Optional.empty();
    }
    for (String[] keys :
        new String[][] {{"ci95Low", "ci95High"}, {"low", "high"}, {"lower", "upper"}}) {
      if (node.path(keys[0]).isNumber() && node.path(keys[1]).isNumber()) {
        ObjectNode out = JSON.createObjectNode();
        out.put("low", node.path(keys[0]).asDouble());
        out.put("high", node.path(keys[1]).asDouble());
        if (node.path("estimate").isNumber()) {
          out.put("estimate", node.path("estimate").asDouble());
        }
        return Optional.of(out);
      }
    }
    return Optional.empty();
  }

  // ---- data -----------------------------------------------------------------------------------

  private static ObjectNode data(RunData data, ArrayNode alerts) {
    ObjectNode d = JSON.createObjectNode();
    data.statistics().ifPresent(s -> statistics(d, s));
    data.validation()
        .ifPresentOrElse(
            v -> validation(d, v, alerts),
            () ->
                alerts.add(
                    alert(
                        "warn",
                        "Data not validated",
                        "The validate task left no report: " + stateOf(data, "validate") + ".")));
    return d;
  }

  private static void statistics(ObjectNode d, DatasetStatistics s) {
    d.put("examples", s.getExamples());
    d.put("labeledExamples", s.getLabeledExamples());
    d.put("positives", s.getPositives());
    d.put(
        "labelRate",
        s.getLabeledExamples() == 0
            ? Double.NaN
            : (double) s.getPositives() / s.getLabeledExamples());
    ArrayNode cutoffs = d.putArray("cutoffs");
    s.getCutoffDaysList().forEach(day -> cutoffs.add(LocalDate.ofEpochDay(day).toString()));
    ArrayNode features = d.putArray("features");
    for (FeatureStatistics f : s.getFeaturesList()) {
      long rows = f.getCount() + f.getMissing();
      ObjectNode row =
          features
              .addObject()
              .put("feature", f.getFeature())
              .put("present", f.getCount())
              .put("missing", f.getMissing())
              .put("missingShare", rows == 0 ? 0 : (double) f.getMissing() / rows);
      if (f.getCount() > 0) {
        row.put("min", f.getMin())
            .put("mean", f.getMean())
            .put("stddev", f.getStddev())
            .put("max", f.getMax());
        if (f.getQuantilesCount() % 2 == 1) {
          row.put("median", f.getQuantiles(f.getQuantilesCount() / 2));
        }
      }
    }
  }

  private static void validation(ObjectNode d, ValidationReport v, ArrayNode alerts) {
    ObjectNode out = d.putObject("validation");
    out.put("passed", v.getPassed());
    ArrayNode anomalies = out.putArray("anomalies");
    for (Anomaly a : v.getAnomaliesList()) {
      anomalies
          .addObject()
          .put("kind", a.getKind())
          .put("feature", a.getFeature())
          .put("message", a.getMessage());
      alerts.add(
          alert(
              v.getPassed() ? "warn" : "bad",
              "Validation "
                  + (v.getPassed() ? "warning" : "anomaly")
                  + ": "
                  + a.getKind()
                  + (a.getFeature().isEmpty() ? "" : " in " + a.getFeature()),
              a.getMessage()));
    }
    ArrayNode notes = out.putArray("notes");
    for (String note : v.getNotesList()) {
      notes.add(note);
      alerts.add(alert("warn", "Validation note", note));
    }
  }

  // ---- model ----------------------------------------------------------------------------------

  private static ObjectNode model(EvaluationResult e, Optional<RunData.Predictions> predictions) {
    ObjectNode m = JSON.createObjectNode();
    ClassificationMetrics model = e.getModel();
    m.put("evaluationRows", e.getExamples());
    m.put("evaluationPositives", e.getPositives());
    ArrayNode table = m.putArray("metrics");
    List<ClassificationMetrics> rows = new ArrayList<>(List.of(model));
    rows.addAll(e.getBaselinesList());
    for (ClassificationMetrics r : rows) {
      table
          .addObject()
          .put("name", r.getName())
          .put("targetedFraction", r.getOperatingPoint().getTargetedFraction())
          .put("precision", r.getPrecision())
          .put("recall", r.getRecall())
          .put("f1", r.getF1())
          .put("accuracy", r.getAccuracy())
          .put("rocAuc", r.getRocAuc())
          .put("prAuc", r.getPrAuc())
          .put("brier", r.getBrier());
    }
    ArrayNode rocMarkers = JSON.createArrayNode();
    ArrayNode prMarkers = JSON.createArrayNode();
    for (ClassificationMetrics r : rows) {
      if (r.getName().equals("model") || r.getName().startsWith("heuristic:")) {
        ConfusionMatrix c = r.getConfusion();
        long negatives = c.getFalsePositives() + c.getTrueNegatives();
        String label = r.getName().equals("model") ? "model" : "heuristic";
        rocMarkers
            .addObject()
            .put("name", label)
            .put("x", negatives == 0 ? 0 : (double) c.getFalsePositives() / negatives)
            .put("y", r.getRecall());
        prMarkers.addObject().put("name", label).put("x", r.getRecall()).put("y", r.getPrecision());
      }
    }
    predictions
        .map(p -> Curves.of(p.scores(), p.labels()))
        .ifPresent(
            curves -> {
              m.set("roc", curve(curves.roc(), rocMarkers).put("auc", model.getRocAuc()));
              m.set(
                  "precisionRecall",
                  curve(curves.precisionRecall(), prMarkers)
                      .put("averagePrecision", model.getPrAuc())
                      .put("baseRate", (double) e.getPositives() / Math.max(1, e.getExamples())));
              m.set("gains", curve(curves.gains(), liftMarkers(rows)));
            });
    ArrayNode calibration = m.putArray("calibration");
    for (CalibrationBin b : model.getCalibrationList()) {
      calibration
          .addObject()
          .put("decile", b.getDecile())
          .put("meanPredicted", b.getMeanPredicted())
          .put("observedRate", b.getObservedRate())
          .put("count", b.getCount());
    }
    ConfusionMatrix c = model.getConfusion();
    m.putObject("confusion")
        .put("truePositives", c.getTruePositives())
        .put("falsePositives", c.getFalsePositives())
        .put("falseNegatives", c.getFalseNegatives())
        .put("trueNegatives", c.getTrueNegatives())
        .put("threshold", model.getOperatingPoint().getThreshold())
        .put("targetedFraction", model.getOperatingPoint().getTargetedFraction());
    ArrayNode importance = m.putArray("importance");
    double total = e.getImportanceList().stream().mapToDouble(FeatureImportance::getGain).sum();
    e.getImportanceList().stream()
        .sorted(
            Comparator.comparingDouble(FeatureImportance::getGain)
                .reversed()
                .thenComparing(FeatureImportance::getFeature))
        .forEach(
            f ->
                importance
                    .addObject()
                    .put("feature", f.getFeature())
                    .put("gain", f.getGain())
                    .put("share", total == 0 ? 0 : f.getGain() / total));
    return m;
  }

  /**
   * The lift points (share targeted, share of churners captured) of the model and the heuristic.
   */
  private static ArrayNode liftMarkers(List<ClassificationMetrics> rows) {
    ArrayNode markers = JSON.createArrayNode();
    for (ClassificationMetrics r : rows) {
      if (r.getName().equals("model") || r.getName().startsWith("heuristic:")) {
        for (LiftPoint p : r.getLiftList()) {
          markers
              .addObject()
              .put("name", r.getName())
              .put("x", p.getTopFraction())
              .put("y", p.getGain())
              .put("lift", p.getLift());
        }
      }
    }
    return markers;
  }

  private static ObjectNode curve(List<Curves.Point> points, ArrayNode markers) {
    ObjectNode curve = JSON.createObjectNode();
    ArrayNode xy = curve.putArray("points");
    for (Curves.Point p : Curves.thin(points, CURVE_POINTS)) {
      xy.addArray().add(p.x()).add(p.y());
    }
    curve.set("markers", markers);
    return curve;
  }

  // ---- backtest and A/B -------------------------------------------------------------------------

  /**
   * backtest.json (issue 13): kept as written, with the per-fold net values gathered for a chart.
   */
  private static ObjectNode backtest(JsonNode b) {
    ObjectNode out = JSON.createObjectNode();
    out.set("source", b);
    ArrayNode folds = out.putArray("netValueByFold");
    for (JsonNode fold : b.path("folds")) {
      ObjectNode row =
          folds
              .addObject()
              .put("cutoff", fold.path("cutoff").asText())
              .put("complete", fold.path("complete").asBoolean(false));
      ObjectNode values = row.putObject("netValue");
      for (JsonNode s : fold.path("strategies")) {
        values.put(s.path("name").asText(), s.path("netValue").asDouble(0));
      }
    }
    return out;
  }

  /** analysis.json (issue 14): kept as written; an SRM flag becomes an alert. */
  private static ObjectNode ab(JsonNode a, ArrayNode alerts) {
    ObjectNode out = JSON.createObjectNode();
    out.set("source", a);
    boolean srm = a.path("srm").path("flagged").asBoolean(false);
    out.put("srmFlagged", srm);
    if (srm) {
      alerts.add(
          alert(
              "bad",
              "A/B sample ratio mismatch (SRM)",
              String.format(
                  Locale.ROOT,
                  "The arms' sizes do not match the planned allocation (chi-square p = %.2g < %s): the assignment or the"
                      + " logging is broken, so no A/B verdict can be trusted until it is found.",
                  a.path("srm").path("pValue").asDouble(0),
                  a.path("srm").path("threshold").asText("0.001"))));
    }
    return out;
  }

  // ---- the run --------------------------------------------------------------------------------

  private static ObjectNode run(RunData data, ArrayNode alerts) {
    ObjectNode r = JSON.createObjectNode();
    data.run()
        .ifPresent(
            run -> {
              r.put("state", run.state().label());
              r.put("runType", run.runType().label());
              r.put("conf", run.conf());
              run.start().ifPresent(s -> r.put("start", s.toString()));
              run.end().ifPresent(e -> r.put("end", e.toString()));
            });
    // The Beam runner the stages report (a --runner override included), else the DAG's.
    r.put(
        "runner",
        data.outputs().values().stream()
            .map(Manifest::getRunner)
            .filter(x -> x.endsWith("Runner"))
            .findFirst()
            .orElse(data.dag().runner().kind().yamlName()));
    ArrayNode tasks = r.putArray("tasks");
    Map<String, Integer> layers = DagLayout.layers(data.dag());
    for (TaskDef task : data.dag().tasks()) {
      ObjectNode t =
          tasks
              .addObject()
              .put("id", task.id())
              .put("kind", task.kind())
              .put("layer", layers.get(task.id()));
      ArrayNode upstream = t.putArray("dependsOn");
      task.dependsOn().forEach(upstream::add);
      TaskInstance ti = data.instances().get(task.id());
      t.put("state", ti == null ? "none" : ti.state().label());
      if (ti != null) {
        t.put("tries", ti.tryNumber());
        ti.duration().ifPresent(d -> t.put("durationS", d.toMillis() / 1000.0));
        ti.message().filter(m -> !m.isEmpty()).ifPresent(m -> t.put("message", m));
        t.put("output", ti.output());
        if (ti.state().isFailure()) {
          alerts.add(
              alert(
                  "bad",
                  "Task " + task.id() + " " + ti.state().label(),
                  ti.message().filter(m -> !m.isEmpty()).orElse("see its log")));
        }
      }
      Manifest m = data.outputs().get(task.id());
      if (m != null) {
        t.put("pipeline", m.getPipeline());
        t.put("stageRunner", m.getRunner());
        if (!m.getQuerySha256().isEmpty()) {
          t.put("querySha256", m.getQuerySha256());
        }
        if (m.containsAttributes("model_id")) {
          r.put("modelId", m.getAttributesOrThrow("model_id"));
        }
      }
    }
    data.blessing().ifPresent(b -> r.put("modelId", b.getModelId()));
    return r;
  }

  // ---- headline -------------------------------------------------------------------------------

  /** The verdict in one line, for the terminal and the top of the page. */
  static String headline(ObjectNode root) {
    JsonNode v = root.path("verdicts");
    StringBuilder line = new StringBuilder();
    if (v.path("blessed").isBoolean()) {
      line.append(v.path("blessed").asBoolean() ? "BLESSED. " : "NOT BLESSED. ");
    }
    line.append(v.path("summary").asText("No model was evaluated in this run."));
    JsonNode ab = root.path("ab").path("source");
    if (root.path("ab").path("srmFlagged").asBoolean(false)) {
      line.append(" A/B: sample ratio mismatch, no verdict.");
    } else if (ab.path("verdict").isTextual()) {
      line.append(" A/B: ").append(ab.path("verdict").asText());
    }
    return line.toString();
  }

  private static ObjectNode alert(String level, String title, String text) {
    return JSON.createObjectNode().put("level", level).put("title", title).put("text", text);
  }

  private static String stateOf(RunData data, String pipeline) {
    return data.dag().tasks().stream()
        .filter(t -> t.id().equals(pipeline) || t.id().startsWith(pipeline))
        .findFirst()
        .map(
            t ->
                Optional.ofNullable(data.instances().get(t.id()))
                    .map(
                        ti ->
                            "task "
                                + t.id()
                                + " is "
                                + ti.state().label()
                                + ti.message()
                                    .filter(m -> !m.isEmpty())
                                    .map(m -> " (" + m + ")")
                                    .orElse(""))
                    .orElse("task " + t.id() + " has not run"))
        .orElse("this DAG has no such task");
  }
}
