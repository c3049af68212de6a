package io.mlproof.pipelines.backtest;

import io.mlproof.proto.v1.BacktestFold;
import io.mlproof.proto.v1.BacktestResult;
import io.mlproof.proto.v1.SaveRatePoint;
import io.mlproof.proto.v1.StrategyFigures;
import java.util.List;
import java.util.Locale;

/** The backtest as a table for people, printed at the end of a run. */
public final class BacktestReport {

  private BacktestReport() {}

  public static String table(BacktestResult result) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "backtest: %d folds (%d complete), label horizon %d days, capacity %s,"
                + " save rate %s (%s)%n",
            result.getFoldsCount(),
            result.getAggregate().getCompleteFolds(),
            result.getHorizonDays(),
            result.getCampaign().getCapacity(),
            num(result.getCampaign().getSaveRate()),
            result.getSaveRateSource()));
    out.append(
        String.format(
            Locale.ROOT,
            "contact %s, offer %s, value of a retained customer: %s%n",
            num(result.getCampaign().getCostPerContact()),
            num(result.getCampaign().getOfferCost()),
            result.getCampaign().getValuePerCustomer()));
    String header =
        String.format(
            Locale.ROOT,
            "%-11s %-11s %9s %9s %9s %12s %25s %7s %10s%n",
            "fold",
            "strategy",
            "contacted",
            "reached",
            "retained",
            "net value",
            "net value 95% CI",
            "ROI",
            "break-even");
    out.append(header);
    for (BacktestFold fold : result.getFoldsList()) {
      if (!fold.getComplete()) {
        out.append(
            String.format(
                Locale.ROOT,
                "%-11s incomplete: %s%n",
                fold.getCutoff(),
                fold.getIncompleteReason()));
        continue;
      }
      rows(out, fold.getCutoff(), fold.getStrategiesList());
      out.append(
          String.format(
              Locale.ROOT,
              "%-11s model %s (F1 %.3f, ROC-AUC %.3f), heuristic %s, trained on %s%n",
              "",
              fold.getModelId(),
              fold.getModelF1(),
              fold.getModelRocAuc(),
              fold.getHeuristic(),
              fold.getTrainingCutoffs()));
    }
    List<StrategyFigures> aggregate = result.getAggregate().getStrategiesList();
    if (!aggregate.isEmpty()) {
      out.append(
          String.format(
              Locale.ROOT,
              "mean per fold over %d complete folds (sd across folds):%n",
              result.getAggregate().getCompleteFolds()));
      rows(out, "mean", aggregate);
      for (StrategyFigures s : aggregate) {
        out.append(
            String.format(
                Locale.ROOT,
                "%-11s %-11s net value sd %.1f, churners reached sd %.1f%n",
                "",
                s.getName(),
                s.getNetValueSd(),
                s.getChurnersReachedSd()));
      }
      out.append("net value per fold by save rate:\n");
      out.append(String.format(Locale.ROOT, "%-11s", "save rate"));
      for (SaveRatePoint p : aggregate.get(0).getSaveRateGridList()) {
        out.append(String.format(Locale.ROOT, " %12s", num(p.getSaveRate())));
      }
      out.append('\n');
      for (StrategyFigures s : aggregate) {
        out.append(String.format(Locale.ROOT, "%-11s", s.getName()));
        for (SaveRatePoint p : s.getSaveRateGridList()) {
          out.append(String.format(Locale.ROOT, " %12.1f", p.getNetValue()));
        }
        out.append('\n');
      }
    }
    out.append(result.getCaveat()).append('\n');
    return out.toString();
  }

  private static void rows(StringBuilder out, String label, List<StrategyFigures> strategies) {
    for (StrategyFigures s : strategies) {
      out.append(
          String.format(
              Locale.ROOT,
              "%-11s %-11s %9.1f %9.1f %9.1f %12.1f %25s %7s %10s%n",
              label,
              s.getName(),
              s.getContacted(),
              s.getChurnersReached(),
              s.getExpectedRetained(),
              s.getNetValue(),
              String.format(
                  Locale.ROOT,
                  "[%.1f, %.1f]",
                  s.getNetValueCi95().getLow(),
                  s.getNetValueCi95().getHigh()),
              s.getContacted() == 0 ? "-" : String.format(Locale.ROOT, "%.2f", s.getRoi()),
              s.hasBreakEvenSaveRate()
                  ? String.format(Locale.ROOT, "%.3f", s.getBreakEvenSaveRate())
                  : "never"));
      label = "";
    }
  }

  private static String num(double v) {
    return io.mlproof.pipelines.evaluate.Numbers.plain(v);
  }
}
