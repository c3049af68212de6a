package io.mlproof.pipelines.ab;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.mlproof.proto.v1.AbAnalysis;
import io.mlproof.proto.v1.ArmSummary;
import io.mlproof.proto.v1.Comparison;
import io.mlproof.proto.v1.CupedResult;
import java.util.List;
import java.util.Locale;

/** An {@link AbAnalysis} for people (a text table and the verdict) and as {@code analysis.json}. */
public final class AbReport {

  private AbReport() {}

  /**
   * analysis.json: the message as JSON with every field, zeros included (readers need not guess).
   */
  public static String json(AbAnalysis analysis) {
    try {
      return JsonFormat.printer().includingDefaultValueFields().print(analysis) + "\n";
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The tables and the verdict, last line first-class: "verdict: ...". */
  public static String text(AbAnalysis a) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "experiment %s: %d arms, alpha %s%n",
            a.getExperimentId(),
            a.getArmsCount(),
            a.getAlpha()));
    arms(out, "all entities (intent to treat)", a.getArmsList());
    out.append(
        String.format(
            Locale.ROOT,
            "sample ratio: chi-square %.2f, %d df, p = %s: %s%n",
            a.getSrm().getChiSquare(),
            a.getSrm().getDegreesOfFreedom(),
            AbAnalyzer.formatP(a.getSrm().getPValue()),
            a.getSrm().getFlagged()
                ? "MISMATCH (below " + a.getSrm().getThreshold() + "), no verdict"
                : "matches the plan"));
    comparisons(out, a.getComparisonsList());
    for (CupedResult c : a.getCupedList()) {
      out.append(
          String.format(
              Locale.ROOT,
              "  CUPED on %s: %s vs %s %+.2f points (95%% CI %+.2f to %+.2f),"
                  + " p = %s; variance reduced by %.1f%%%n",
              c.getCovariate(),
              c.getTreatment(),
              c.getControl(),
              100 * c.getDifference(),
              100 * c.getDifferenceCi95Low(),
              100 * c.getDifferenceCi95High(),
              AbAnalyzer.formatP(c.getPValue()),
              100 * c.getVarianceReduction()));
    }
    if (a.getFlaggedArmsCount() > 0) {
      arms(out, "entities the model flags (like with like)", a.getFlaggedArmsList());
      comparisons(out, a.getFlaggedComparisonsList());
    }
    out.append(
        String.format(
            Locale.ROOT,
            "save rate (%s vs %s): %.1f%% (95%% CI %.1f%% to %.1f%%)%n",
            a.getSaveRate().getTreatment(),
            a.getSaveRate().getControl(),
            100 * a.getSaveRate().getEstimate(),
            100 * a.getSaveRate().getCi95Low(),
            100 * a.getSaveRate().getCi95High()));
    out.append("verdict: ").append(a.getVerdict()).append(System.lineSeparator());
    return out.toString();
  }

  private static void arms(StringBuilder out, String title, List<ArmSummary> arms) {
    out.append(title).append(System.lineSeparator());
    out.append(
        String.format(
            Locale.ROOT,
            "  %-16s %10s %10s %11s %8s%n",
            "arm",
            "entities",
            "churners",
            "churn rate",
            "planned"));
    for (ArmSummary arm : arms) {
      out.append(
          String.format(
              Locale.ROOT,
              "  %-16s %10d %10d %10.2f%% %7.1f%%%n",
              arm.getArm(),
              arm.getEntities(),
              arm.getChurners(),
              100 * arm.getChurnRate(),
              100 * arm.getPlannedShare()));
    }
  }

  private static void comparisons(StringBuilder out, List<Comparison> comparisons) {
    for (Comparison c : comparisons) {
      out.append(
          String.format(
              Locale.ROOT,
              "  %s vs %s: %+.2f points (95%% CI %+.2f to %+.2f), lift %+.1f%%"
                  + " (95%% CI %+.1f%% to %+.1f%%), z = %.3f, p = %s, Holm p = %s, power %.2f, MDE %.2f points%n",
              c.getTreatment(),
              c.getControl(),
              100 * c.getDifference(),
              100 * c.getDifferenceCi95Low(),
              100 * c.getDifferenceCi95High(),
              100 * c.getRelativeLift(),
              100 * c.getRelativeLiftCi95Low(),
              100 * c.getRelativeLiftCi95High(),
              c.getZ(),
              AbAnalyzer.formatP(c.getPValue()),
              AbAnalyzer.formatP(c.getPValueHolm()),
              c.getAchievedPower(),
              100 * c.getMde()));
    }
  }
}
