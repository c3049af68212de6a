package io.mlproof.orchestrator.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/**
 * The report's charts, drawn by JFreeChart into JFreeSVG's SVG graphics: each chart is an inline
 * {@code <svg>} element with a viewBox (it scales with the page), no script and no external
 * reference, so the page works offline and prints as vectors.
 */
final class Charts {
  static final int WIDTH = 560;
  static final int HEIGHT = 380;
  static final Color[] PALETTE = {
    new Color(0x1f5fbf),
    new Color(0xd9822b),
    new Color(0x2f9e5a),
    new Color(0x8a63d2),
    new Color(0x6b7280),
    new Color(0xc93434)
  };
  private static final Font TITLE = new Font("SansSerif", Font.BOLD, 15);
  private static final Font LABEL = new Font("SansSerif", Font.PLAIN, 12);

  static {
    // Charts are drawn on servers and in CI: never look for a display.
    System.setProperty("java.awt.headless", "true");
  }

  private Charts() {}

  /** A line of an XY chart. */
  record Line(String name, List<Curves.Point> points, boolean dashed, boolean showPoints) {}

  /** A labelled point drawn over an XY chart (an operating point). */
  record Mark(String name, double x, double y) {}

  /** Lines and marks on axes from 0 to 1 (shares, rates, probabilities). */
  static String unitXy(
      String id, String title, String xLabel, String yLabel, List<Line> lines, List<Mark> marks) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Line line : lines) {
      XYSeries series = new XYSeries(line.name(), false, true);
      line.points().forEach(p -> series.add(p.x(), p.y()));
      data.addSeries(series);
    }
    for (Mark mark : marks) {
      XYSeries series = new XYSeries(mark.name() + " operating point", false, true);
      series.add(mark.x(), mark.y());
      data.addSeries(series);
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
    int i = 0;
    for (Line line : lines) {
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      renderer.setSeriesLinesVisible(i, true);
      renderer.setSeriesShapesVisible(i, line.showPoints());
      renderer.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
      renderer.setSeriesStroke(
          i,
          line.dashed()
              ? new BasicStroke(
                  1.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {5f, 4f}, 0f)
              : new BasicStroke(2.2f));
      i++;
    }
    for (Mark mark : marks) {
      Color color = PALETTE[(i) % PALETTE.length];
      renderer.setSeriesPaint(i, color);
      renderer.setSeriesLinesVisible(i, false);
      renderer.setSeriesShapesVisible(i, true);
      renderer.setSeriesShape(i, new Rectangle2D.Double(-6, -6, 12, 12));
      boolean right = mark.x() > 0.5;
      XYTextAnnotation label =
          new XYTextAnnotation(right ? mark.name() + "  " : "  " + mark.name(), mark.x(), mark.y());
      label.setFont(new Font("SansSerif", Font.BOLD, 11));
      label.setPaint(color);
      label.setTextAnchor(right ? TextAnchor.TOP_RIGHT : TextAnchor.TOP_LEFT);
      plot.addAnnotation(label);
      i++;
    }
    plot.setRenderer(renderer);
    unitAxis((NumberAxis) plot.getDomainAxis());
    unitAxis((NumberAxis) plot.getRangeAxis());
    style(chart);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xe3e6eb));
    plot.setRangeGridlinePaint(new Color(0xe3e6eb));
    return svg(chart, id);
  }

  /** Horizontal bars, largest first (feature importance). */
  static String horizontalBars(
      String id, String title, String valueLabel, List<String> names, List<Double> values) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (int i = 0; i < names.size(); i++) {
      data.addValue(values.get(i), valueLabel, names.get(i));
    }
    JFreeChart chart =
        ChartFactory.createBarChart(
            title, null, valueLabel, data, PlotOrientation.HORIZONTAL, false, false, false);
    CategoryPlot plot = chart.getCategoryPlot();
    BarRenderer renderer = barRenderer((BarRenderer) plot.getRenderer());
    renderer.setMaximumBarWidth(0.08);
    style(chart);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(new Color(0xe3e6eb));
    return svg(chart, id, WIDTH, Math.max(HEIGHT, 90 + 24 * names.size()));
  }

  /** Grouped vertical bars: one group per category, one bar per series (backtest folds). */
  static String groupedBars(
      String id, String title, String valueLabel, DefaultCategoryDataset data) {
    JFreeChart chart =
        ChartFactory.createBarChart(
            title, null, valueLabel, data, PlotOrientation.VERTICAL, true, false, false);
    CategoryPlot plot = chart.getCategoryPlot();
    barRenderer((BarRenderer) plot.getRenderer());
    plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
    plot.addRangeMarker(new ValueMarker(0, Color.DARK_GRAY, new BasicStroke(1f)));
    style(chart);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(new Color(0xe3e6eb));
    return svg(chart, id);
  }

  /** Bars with symmetric error bars: {@code halfWidths} are the 95% interval half-widths. */
  static String barsWithIntervals(
      String id,
      String title,
      String valueLabel,
      List<String> names,
      List<Double> values,
      List<Double> halfWidths) {
    DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
    for (int i = 0; i < names.size(); i++) {
      data.add(values.get(i), halfWidths.get(i), valueLabel, names.get(i));
    }
    JFreeChart chart =
        ChartFactory.createBarChart(
            title, null, valueLabel, data, PlotOrientation.VERTICAL, false, false, false);
    CategoryPlot plot = chart.getCategoryPlot();
    StatisticalBarRenderer renderer = new StatisticalBarRenderer();
    renderer.setErrorIndicatorPaint(Color.BLACK);
    renderer.setErrorIndicatorStroke(new BasicStroke(1.5f));
    plot.setRenderer(barRenderer(renderer));
    renderer.setMaximumBarWidth(0.2);
    style(chart);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(new Color(0xe3e6eb));
    return svg(chart, id);
  }

  /** Lines over any numeric axes, with an optional vertical marker (the break-even save rate). */
  static String xy(
      String id,
      String title,
      String xLabel,
      String yLabel,
      List<Line> lines,
      Double verticalAt,
      String verticalLabel) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Line line : lines) {
      XYSeries series = new XYSeries(line.name(), false, true);
      line.points().forEach(p -> series.add(p.x(), p.y()));
      data.addSeries(series);
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < lines.size(); i++) {
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      renderer.setSeriesStroke(i, new BasicStroke(2f));
      renderer.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
    }
    plot.setRenderer(renderer);
    plot.addRangeMarker(new ValueMarker(0, Color.DARK_GRAY, new BasicStroke(1f)));
    if (verticalAt != null) {
      ValueMarker marker = new ValueMarker(verticalAt, PALETTE[5], new BasicStroke(1.5f));
      marker.setLabel(verticalLabel);
      marker.setLabelFont(new Font("SansSerif", Font.BOLD, 11));
      marker.setLabelPaint(PALETTE[5]);
      marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
      marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
      plot.addDomainMarker(marker);
    }
    style(chart);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xe3e6eb));
    plot.setRangeGridlinePaint(new Color(0xe3e6eb));
    return svg(chart, id);
  }

  private static <R extends BarRenderer> R barRenderer(R renderer) {
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    renderer.setDrawBarOutline(false);
    for (int i = 0; i < PALETTE.length; i++) {
      renderer.setSeriesPaint(i, PALETTE[i]);
    }
    return renderer;
  }

  private static void unitAxis(NumberAxis axis) {
    axis.setRange(0, 1.0001);
    axis.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(0.2));
  }

  private static void style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.getTitle().setFont(TITLE);
    chart.setAntiAlias(true);
    if (chart.getLegend() != null) {
      chart.getLegend().setItemFont(LABEL);
      chart.getLegend().setFrame(org.jfree.chart.block.BlockBorder.NONE);
    }
    if (chart.getPlot() instanceof XYPlot xy) {
      xy.getDomainAxis().setLabelFont(LABEL);
      xy.getRangeAxis().setLabelFont(LABEL);
      xy.setOutlineVisible(false);
    } else if (chart.getPlot() instanceof CategoryPlot cat) {
      cat.getRangeAxis().setLabelFont(LABEL);
      cat.getDomainAxis().setTickLabelFont(LABEL);
      cat.setOutlineVisible(false);
    }
  }

  private static String svg(JFreeChart chart, String id) {
    return svg(chart, id, WIDTH, HEIGHT);
  }

  private static String svg(JFreeChart chart, String id, int width, int height) {
    SVGGraphics2D g = new SVGGraphics2D(width, height);
    chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
    return g.getSVGElement(id, false, new ViewBox(0, 0, width, height), null, null);
  }
}
