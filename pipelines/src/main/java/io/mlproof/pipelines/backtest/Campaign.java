package io.mlproof.pipelines.backtest;

import io.mlproof.pipelines.core.InvalidInputException;

/**
 * The economics of a retention campaign, after the churn-campaign profit model of Neslin et al.
 * (2006) and Verbeke et al. (2012): every contact costs {@code costPerContact}; a contacted
 * would-be churner stays with probability {@code saveRate}, is worth {@code value} and takes the
 * offer ({@code offerCost}); a contacted customer who would have stayed anyway takes the offer too;
 * a contacted churner who leaves anyway costs only the contact.
 *
 * <p>So one contacted entity is worth, in expectation, {@code s (v - d) - f} if it would churn and
 * {@code -d - f} if not ({@code s} save rate, {@code v} value, {@code d} offer cost, {@code f} cost
 * per contact): everything is linear in {@code s}, which makes the save-rate grid and the
 * break-even save rate exact.
 */
public record Campaign(Capacity capacity, double costPerContact, double offerCost)
    implements java.io.Serializable {

  public Campaign {
    if (!(costPerContact >= 0) || Double.isInfinite(costPerContact)) {
      throw new InvalidInputException(
          "--costPerContact must be a non-negative number, got " + costPerContact);
    }
    if (!(offerCost >= 0) || Double.isInfinite(offerCost)) {
      throw new InvalidInputException(
          "--offerCost must be a non-negative number, got " + offerCost);
    }
  }

  /** Checks a save rate: a probability. */
  public static double saveRate(String option, double s) {
    if (!(s >= 0 && s <= 1)) {
      throw new InvalidInputException(option + " must be a share in [0, 1], got " + s);
    }
    return s;
  }

  /**
   * What contacting some entities reaches, before the save rate is applied: expected contacts,
   * expected churners among them and the expected value of those churners.
   */
  public record Reach(double contacted, double churnersReached, double valueReached) {

    /** Sums {@code p[i]} x (1, churner, churner x value). */
    public static Reach of(double[] contactProbability, boolean[] churner, double[] value) {
      double contacted = 0;
      double reached = 0;
      double valueReached = 0;
      for (int i = 0; i < contactProbability.length; i++) {
        double p = contactProbability[i];
        contacted += p;
        if (churner[i]) {
          reached += p;
          valueReached += p * value[i];
        }
      }
      return new Reach(contacted, reached, valueReached);
    }
  }

  /** Money figures of a reach at save rate {@code s}. */
  public record Figures(
      double contacted,
      double churnersReached,
      double expectedRetained,
      double valueRetained,
      double cost,
      double netValue,
      double roi) {}

  public Figures figures(Reach reach, double s) {
    double retained = s * reach.churnersReached();
    double cost =
        costPerContact * reach.contacted()
            + offerCost * (retained + reach.contacted() - reach.churnersReached());
    double valueRetained = s * reach.valueReached();
    double net = valueRetained - cost;
    return new Figures(
        reach.contacted(),
        reach.churnersReached(),
        retained,
        valueRetained,
        cost,
        net,
        cost > 0 ? net / cost : 0);
  }

  /**
   * The save rate at which the net value is zero: net(s) = s (V - d R) - (f C + d (C - R)) with C
   * contacted, R churners reached, V their value. NaN when no save rate makes it pay (V - d R <=
   * 0); above 1 when not even keeping every churner reached would.
   */
  public double breakEvenSaveRate(Reach reach) {
    double slope = reach.valueReached() - offerCost * reach.churnersReached();
    double fixed =
        costPerContact * reach.contacted()
            + offerCost * (reach.contacted() - reach.churnersReached());
    return slope > 0 ? fixed / slope : Double.NaN;
  }

  /**
   * Expected net value of each entity at save rate {@code s}: the terms the bootstrap resamples.
   */
  public double[] netPerEntity(
      double[] contactProbability, boolean[] churner, double[] value, double s) {
    double[] net = new double[contactProbability.length];
    for (int i = 0; i < net.length; i++) {
      double each =
          churner[i] ? s * (value[i] - offerCost) - costPerContact : -offerCost - costPerContact;
      net[i] = contactProbability[i] * each;
    }
    return net;
  }
}
