package io.mlproof.orchestrator.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.dag.TaskDef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The DAG as a left-to-right graph: a task's column is the length of the longest path to it from a
 * task without upstream, so every edge points right. Drawn as plain SVG (boxes, curves and text
 * need no chart library).
 */
public final class DagLayout {
  private static final int BOX_W = 150;
  private static final int BOX_H = 46;
  private static final int GAP_X = 46;
  private static final int GAP_Y = 18;
  private static final int PAD = 10;

  private DagLayout() {}

  /** Column of every task (0 for tasks without upstream). Tasks are in topological order. */
  public static Map<String, Integer> layers(Dag dag) {
    Map<String, Integer> layer = new LinkedHashMap<>();
    for (TaskDef task : dag.tasks()) {
      int l = 0;
      for (String up : task.dependsOn()) {
        l = Math.max(l, layer.get(up) + 1);
      }
      layer.put(task.id(), l);
    }
    return layer;
  }

  /** The graph of {@code tasks} (the {@code run.tasks} array of report.json) as an SVG element. */
  static String svg(JsonNode tasks) {
    Map<String, int[]> at = new HashMap<>();
    Map<Integer, Integer> rowsInLayer = new HashMap<>();
    int columns = 0;
    int rows = 0;
    for (JsonNode t : tasks) {
      int layer = t.path("layer").asInt();
      int row = rowsInLayer.merge(layer, 1, Integer::sum) - 1;
      at.put(
          t.path("id").asText(),
          new int[] {PAD + layer * (BOX_W + GAP_X), PAD + row * (BOX_H + GAP_Y)});
      columns = Math.max(columns, layer + 1);
      rows = Math.max(rows, row + 1);
    }
    int width = 2 * PAD + columns * BOX_W + (columns - 1) * GAP_X;
    int height = 2 * PAD + rows * BOX_H + (rows - 1) * GAP_Y;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dag\" role=\"img\" aria-label=\"the DAG run\""
                + " viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\">",
            width,
            height,
            width,
            height));
    svg.append(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\""
            + " markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#8a94a6\"/></marker></defs>");
    Map<String, Set<String>> ancestors = ancestors(tasks);
    List<String> edges = new ArrayList<>();
    for (JsonNode t : tasks) {
      int[] to = at.get(t.path("id").asText());
      List<String> upstream = new ArrayList<>();
      t.path("dependsOn").forEach(u -> upstream.add(u.asText()));
      for (String up : upstream) {
        // Only the edges of the transitive reduction: a report that waits for every task would
        // otherwise draw an edge from each of them across the graph.
        if (upstream.stream().anyMatch(other -> ancestors.get(other).contains(up))) {
          continue;
        }
        int[] from = at.get(up);
        double x1 = from[0] + BOX_W;
        double y1 = from[1] + BOX_H / 2.0;
        double x2 = to[0];
        double y2 = to[1] + BOX_H / 2.0;
        double mid = (x1 + x2) / 2;
        edges.add(
            String.format(
                Locale.ROOT,
                "<path class=\"edge\" d=\"M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f\""
                    + " fill=\"none\" stroke=\"#8a94a6\" stroke-width=\"1.4\" marker-end=\"url(#arrow)\"/>",
                x1,
                y1,
                mid,
                y1,
                mid,
                y2,
                x2,
                y2));
      }
    }
    edges.forEach(svg::append);
    for (JsonNode t : tasks) {
      int[] p = at.get(t.path("id").asText());
      String state = t.path("state").asText();
      String duration =
          t.has("durationS")
              ? String.format(Locale.ROOT, " · %.1f s", t.path("durationS").asDouble())
              : "";
      svg.append(
          String.format(
              Locale.ROOT,
              "<g class=\"task state-%s\" data-task=\"%s\"><title>%s: %s%s</title>"
                  + "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"7\" fill=\"%s\" stroke=\"%s\"/>"
                  + "<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"600\" fill=\"#1b2330\">%s</text>"
                  + "<text x=\"%d\" y=\"%d\" font-size=\"11.5\" fill=\"#3d4757\">%s%s</text></g>",
              Html.attr(state),
              Html.attr(t.path("id").asText()),
              Html.text(t.path("id").asText()),
              Html.text(state),
              Html.text(
                  t.path("message").asText("").isEmpty() ? "" : " — " + t.path("message").asText()),
              p[0],
              p[1],
              BOX_W,
              BOX_H,
              fill(state),
              stroke(state),
              p[0] + 10,
              p[1] + 19,
              Html.text(t.path("id").asText()),
              p[0] + 10,
              p[1] + 36,
              Html.text(state.replace('_', ' ')),
              duration));
    }
    return svg.append("</svg>").toString();
  }

  /** Every task's transitive upstream tasks (tasks come in topological order). */
  static Map<String, Set<String>> ancestors(JsonNode tasks) {
    Map<String, Set<String>> ancestors = new HashMap<>();
    for (JsonNode t : tasks) {
      Set<String> all = new HashSet<>();
      for (JsonNode up : t.path("dependsOn")) {
        all.add(up.asText());
        all.addAll(ancestors.get(up.asText()));
      }
      ancestors.put(t.path("id").asText(), all);
    }
    return ancestors;
  }

  private static String fill(String state) {
    return switch (state) {
      case "success" -> "#dcf3e3";
      case "failed", "upstream_failed" -> "#fbdcdc";
      case "running", "up_for_retry" -> "#fff2cc";
      case "skipped" -> "#eceff3";
      default -> "#f6f7f9";
    };
  }

  private static String stroke(String state) {
    return switch (state) {
      case "success" -> "#2f9e5a";
      case "failed", "upstream_failed" -> "#c93434";
      case "running", "up_for_retry" -> "#c99a06";
      default -> "#9aa4b2";
    };
  }
}
