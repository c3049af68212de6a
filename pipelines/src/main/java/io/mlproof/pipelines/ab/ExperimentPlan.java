package io.mlproof.pipelines.ab;

import java.util.List;

/**
 * Sizing a whole experiment: every treatment arm against control with {@link SampleSize}. With m
 * treatment arms each comparison is sized at alpha / m, the Bonferroni level that Holm's correction
 * never falls below, so the plan holds whatever the analysis adjusts.
 */
public final class ExperimentPlan {

  private ExperimentPlan() {}

  /**
   * Entities per arm (rounded up, in the allocation's order) to detect base rate -> treatment rate.
   */
  public static long[] sizes(
      double baseRate,
      double treatmentRate,
      double alpha,
      double power,
      List<AbAnalyzer.Arm> arms) {
    double alphaEach = alpha / (arms.size() - 1);
    double control = arms.get(0).share();
    double needed = 0;
    for (AbAnalyzer.Arm arm : arms.subList(1, arms.size())) {
      needed =
          Math.max(
              needed,
              SampleSize.controlSize(
                  baseRate, treatmentRate, alphaEach, power, arm.share() / control));
    }
    long[] sizes = new long[arms.size()];
    for (int i = 0; i < arms.size(); i++) {
      // The 1e-9 guards against a size like 387.0000000001 from float error becoming 388.
      sizes[i] = (long) Math.ceil(needed * arms.get(i).share() / control - 1e-9);
    }
    return sizes;
  }

  /**
   * The smallest absolute decrease of the base rate every treatment arm detects with this power
   * when {@code entities} are split by the allocation; NaN when none is detectable.
   */
  public static double mde(
      double baseRate, long entities, double alpha, double power, List<AbAnalyzer.Arm> arms) {
    SampleSize.checkRate(baseRate, "base rate");
    SampleSize.checkProbability(alpha, "alpha");
    SampleSize.checkProbability(power, "power");
    double alphaEach = alpha / (arms.size() - 1);
    double control = entities * arms.get(0).share();
    double worst = 0;
    for (AbAnalyzer.Arm arm : arms.subList(1, arms.size())) {
      worst =
          Math.max(
              worst, SampleSize.mde(baseRate, control, entities * arm.share(), alphaEach, power));
    }
    return worst;
  }
}
