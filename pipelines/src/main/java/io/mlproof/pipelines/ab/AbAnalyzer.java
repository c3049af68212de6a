package io.mlproof.pipelines.ab;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.proto.v1.AbAnalysis;
import io.mlproof.proto.v1.ArmSummary;
import io.mlproof.proto.v1.Comparison;
import io.mlproof.proto.v1.CupedResult;
import io.mlproof.proto.v1.SaveRate;
import io.mlproof.proto.v1.SrmCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole A/B analysis from per-arm {@link Moments}: per-arm counts, every treatment against the
 * first arm (control) with the pooled z-test, the Wald interval, the delta-method lift, Holm's
 * correction, achieved power and MDE; the SRM check; CUPED when a covariate was measured; the
 * flagged-only comparison and the save rate; and the plain-words verdict. Pure: the analyze
 * pipeline and {@code mlproof ab summary} both end here, so they cannot disagree.
 */
public final class AbAnalyzer {
  public static final String SAVE_RATE_DEFINITION =
      "1 - (churn rate of the entities the model flags in"
          + " treatment) / (churn rate of the entities it flags in control): the share of the flagged"
          + " would-be churners whom the campaign kept; 95% interval by the delta method.";
  public static final String SAVE_RATE_DEFINITION_WHOLE_ARMS =
      "1 - (churn rate of treatment) / (churn rate"
          + " of control) over the entities counted in each arm (no flagged subset was given): the share of"
          + " would-be churners whom the campaign kept; 95% interval by the delta method.";

  private AbAnalyzer() {}

  /** One arm of the plan: its name and planned share of the entities. The first arm is control. */
  public record Arm(String name, double share) {}

  /**
   * What to analyse: arms in plan order (control first), the level and power, the covariate name.
   */
  public record Settings(
      String experimentId, List<Arm> arms, double alpha, double power, String covariate) {
    public Settings {
      if (arms.size() < 2) {
        throw new InvalidInputException(
            "an experiment needs at least two arms (control first), got " + arms.size());
      }
      SampleSize.checkProbability(alpha, "alpha");
      SampleSize.checkProbability(power, "power");
      for (Arm arm : arms) {
        if (!(arm.share() > 0)) {
          throw new InvalidInputException(
              "arm "
                  + arm.name()
                  + " has planned share "
                  + arm.share()
                  + ": every arm needs a positive share");
        }
      }
      arms = List.copyOf(arms);
    }
  }

  /**
   * @param all outcome moments of every arm (y = churned 0/1, x = the covariate or 0)
   * @param flagged moments of the entities the model flags, per arm; empty when not known
   */
  public static AbAnalysis analyze(
      Settings settings, Map<String, Moments> all, Map<String, Moments> flagged) {
    AbAnalysis.Builder out =
        AbAnalysis.newBuilder()
            .setExperimentId(settings.experimentId())
            .setAlpha(settings.alpha())
            .setPower(settings.power());
    double shareSum = settings.arms().stream().mapToDouble(Arm::share).sum();
    List<Long> sizes = new ArrayList<>();
    for (Arm arm : settings.arms()) {
      Moments m = all.getOrDefault(arm.name(), Moments.EMPTY);
      if (m.n() == 0) {
        throw new InvalidInputException(
            "arm "
                + arm.name()
                + " has no entities with an outcome: check the"
                + " assignment and the outcome data");
      }
      sizes.add(m.n());
      out.addArms(summary(arm.name(), m, arm.share() / shareSum));
      if (!flagged.isEmpty()) {
        out.addFlaggedArms(
            summary(
                arm.name(),
                flagged.getOrDefault(arm.name(), Moments.EMPTY),
                arm.share() / shareSum));
      }
    }
    SampleRatio.Check srm =
        SampleRatio.check(sizes, settings.arms().stream().map(Arm::share).toList());
    out.setSrm(
        SrmCheck.newBuilder()
            .setChiSquare(srm.chiSquare())
            .setDegreesOfFreedom(srm.degreesOfFreedom())
            .setPValue(srm.pValue())
            .setThreshold(SampleRatio.THRESHOLD)
            .setFlagged(srm.flagged()));
    out.addAllComparisons(compare(settings, all, srm.flagged()));
    boolean haveFlagged = flagged.values().stream().anyMatch(m -> m.n() > 0);
    if (haveFlagged
        && settings.arms().stream()
            .allMatch(a -> flagged.getOrDefault(a.name(), Moments.EMPTY).n() > 0)) {
      out.addAllFlaggedComparisons(compare(settings, flagged, srm.flagged()));
    }
    if (settings.covariate() != null && !settings.covariate().isEmpty()) {
      Moments control = all.get(settings.arms().get(0).name());
      for (Arm arm : settings.arms().subList(1, settings.arms().size())) {
        Moments treatment = all.get(arm.name());
        if (control.n() >= 2 && treatment.n() >= 2) {
          Cuped.Result c = Cuped.compare(control, treatment, settings.alpha());
          out.addCuped(
              CupedResult.newBuilder()
                  .setCovariate(settings.covariate())
                  .setControl(settings.arms().get(0).name())
                  .setTreatment(arm.name())
                  .setTheta(c.theta())
                  .setDifference(c.difference().estimate())
                  .setDifferenceCi95Low(c.difference().low())
                  .setDifferenceCi95High(c.difference().high())
                  .setPValue(c.pValue())
                  .setVarianceReduction(c.varianceReduction()));
        }
      }
    }
    boolean fromFlagged = out.getFlaggedComparisonsCount() > 0;
    Comparison first = fromFlagged ? out.getFlaggedComparisons(0) : out.getComparisons(0);
    Map<String, Moments> source = fromFlagged ? flagged : all;
    Moments c = source.get(first.getControl());
    Moments t = source.get(first.getTreatment());
    Proportions.Interval lift =
        Proportions.relativeLift(c.n(), c.sumY(), t.n(), t.sumY(), 0.05).negate();
    out.setSaveRate(
        SaveRate.newBuilder()
            .setEstimate(lift.estimate())
            .setCi95Low(lift.low())
            .setCi95High(lift.high())
            .setControl(first.getControl())
            .setTreatment(first.getTreatment())
            .setDefinition(fromFlagged ? SAVE_RATE_DEFINITION : SAVE_RATE_DEFINITION_WHOLE_ARMS));
    out.setVerdict(verdict(out, srm));
    return out.build();
  }

  private static ArmSummary summary(String arm, Moments m, double share) {
    return ArmSummary.newBuilder()
        .setArm(arm)
        .setEntities(m.n())
        .setChurners(m.sumY())
        .setChurnRate(m.n() == 0 ? Double.NaN : (double) m.sumY() / m.n())
        .setPlannedShare(share)
        .build();
  }

  /** Every treatment arm against control, Holm-adjusted across the treatments. */
  private static List<Comparison> compare(
      Settings settings, Map<String, Moments> moments, boolean srmFlagged) {
    String control = settings.arms().get(0).name();
    Moments c = moments.get(control);
    List<Arm> treatments = settings.arms().subList(1, settings.arms().size());
    double alpha = settings.alpha();
    List<Comparison.Builder> built = new ArrayList<>();
    double[] p = new double[treatments.size()];
    for (int i = 0; i < treatments.size(); i++) {
      Moments t = moments.get(treatments.get(i).name());
      Proportions.ZTest z = Proportions.zTest(c.n(), c.sumY(), t.n(), t.sumY());
      Proportions.Interval diff =
          Proportions.waldDifference(c.n(), c.sumY(), t.n(), t.sumY(), alpha);
      Proportions.Interval lift = Proportions.relativeLift(c.n(), c.sumY(), t.n(), t.sumY(), alpha);
      double pc = (double) c.sumY() / c.n();
      double pt = (double) t.sumY() / t.n();
      p[i] = z.pValue();
      built.add(
          Comparison.newBuilder()
              .setControl(control)
              .setTreatment(treatments.get(i).name())
              .setDifference(diff.estimate())
              .setDifferenceCi95Low(diff.low())
              .setDifferenceCi95High(diff.high())
              .setRelativeLift(lift.estimate())
              .setRelativeLiftCi95Low(lift.low())
              .setRelativeLiftCi95High(lift.high())
              .setZ(z.z())
              .setPValue(z.pValue())
              .setAchievedPower(SampleSize.power(pc, pt, c.n(), t.n(), alpha))
              .setMde(SampleSize.mde(pc, c.n(), t.n(), alpha, settings.power())));
    }
    double[] holm = Holm.adjust(p);
    List<Comparison> comparisons = new ArrayList<>();
    for (int i = 0; i < built.size(); i++) {
      Comparison.Builder b = built.get(i).setPValueHolm(holm[i]).setSignificant(holm[i] < alpha);
      comparisons.add(
          b.setVerdict(
                  srmFlagged
                      ? "no verdict: sample ratio mismatch"
                      : verdict(b, treatments.size() > 1, alpha, settings.power()))
              .build());
    }
    return comparisons;
  }

  /** "treatment lowered churn by X points (95% CI a to b), p = ...; roll out", or why not. */
  static String verdict(Comparison.Builder c, boolean holmAdjusted, double alpha, double power) {
    String p = "p = " + formatP(c.getPValueHolm()) + (holmAdjusted ? " (Holm-adjusted)" : "");
    if (c.getSignificant() && c.getDifference() < 0) {
      return String.format(
          Locale.ROOT,
          "%s lowered churn by %.2f points (%s CI %.2f to %.2f), %s; roll out",
          c.getTreatment(),
          -100 * c.getDifference(),
          percent(1 - alpha),
          -100 * c.getDifferenceCi95High(),
          -100 * c.getDifferenceCi95Low(),
          p);
    }
    if (c.getSignificant()) {
      return String.format(
          Locale.ROOT,
          "%s raised churn by %.2f points (%s CI %.2f to %.2f), %s; do not roll out",
          c.getTreatment(),
          100 * c.getDifference(),
          percent(1 - alpha),
          100 * c.getDifferenceCi95Low(),
          100 * c.getDifferenceCi95High(),
          p);
    }
    String mde =
        Double.isNaN(c.getMde())
            ? "it could not detect even a drop to zero churn with " + percent(power) + " power"
            : String.format(
                Locale.ROOT,
                "this test could only detect effects of %.2f points or more (%s power)",
                100 * c.getMde(),
                percent(power));
    return "no significant difference between "
        + c.getTreatment()
        + " and "
        + c.getControl()
        + " ("
        + p
        + "); "
        + mde;
  }

  private static String verdict(AbAnalysis.Builder out, SampleRatio.Check srm) {
    if (srm.flagged()) {
      return String.format(
          Locale.ROOT,
          "no verdict: sample ratio mismatch (chi-square %.2f, p = %s < %s): the arm"
              + " sizes do not match the planned allocation, so the assignment or the outcome logging is broken;"
              + " fix it before reading any difference",
          srm.chiSquare(),
          formatP(srm.pValue()),
          SampleRatio.THRESHOLD);
    }
    return String.join(
        "; ", out.getComparisonsList().stream().map(Comparison::getVerdict).toList());
  }

  static String formatP(double p) {
    if (p < 0.0001) {
      return String.format(Locale.ROOT, "%.1e", p);
    }
    return String.format(Locale.ROOT, "%.4f", p);
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.0f%%", 100 * share);
  }
}
