package io.mlproof.pipelines.ab;

/**
 * CUPED (Deng, Xu, Kohavi and Walker, WSDM 2013): the difference of means adjusted with a
 * pre-period covariate x that the treatment cannot have changed. With theta = cov(x, y) / var(x)
 * over both arms pooled, each arm's mean becomes mean(y) - theta (mean(x) - overall mean(x)); the
 * difference stays unbiased and its variance shrinks by the share of y's variance x explains. The
 * interval and p-value are normal (Welch-type standard error of the adjusted means).
 */
public final class Cuped {

  private Cuped() {}

  /** The adjusted comparison of treatment against control. */
  public record Result(
      double theta, Proportions.Interval difference, double pValue, double varianceReduction) {}

  public static Result compare(Moments control, Moments treatment, double alpha) {
    if (control.n() < 2 || treatment.n() < 2) {
      throw new IllegalArgumentException("CUPED needs at least two entities per arm");
    }
    Moments pooled = control.merge(treatment);
    double theta = pooled.m2X() == 0 ? 0 : pooled.cXY() / pooled.m2X();
    double difference =
        (treatment.meanY() - control.meanY()) - theta * (treatment.meanX() - control.meanX());
    double se =
        Math.sqrt(
            adjustedVariance(treatment, theta) / treatment.n()
                + adjustedVariance(control, theta) / control.n());
    Proportions.Interval interval = Proportions.around(difference, se, alpha);
    double p = se == 0 ? 1 : Proportions.twoSidedP(difference / se);
    double reduction =
        pooled.m2Y() == 0 ? 0 : 1 - (pooled.m2Y() - theta * pooled.cXY()) / pooled.m2Y();
    return new Result(theta, interval, p, reduction);
  }

  /** Sample variance of y - theta x within one arm. */
  private static double adjustedVariance(Moments arm, double theta) {
    return (arm.m2Y() - 2 * theta * arm.cXY() + theta * theta * arm.m2X()) / (arm.n() - 1);
  }
}
