package io.mlproof.pipelines.backtest;

import io.mlproof.pipelines.train.TrainOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of {@code mlproof run backtest}. Each fold trains the way {@code train} does, so every
 * training option applies to each fold's model ({@code --examples} is the stacked features output
 * the folds are cut from; {@code --examplesQuery} has no time axis and is refused).
 */
public interface BacktestOptions extends TrainOptions {

  @Description(
      "Cutoff of the first fold (YYYY-MM-DD, one of the features output's cutoffs); default: the"
          + " one that puts the last fold on the newest cutoff.")
  @Default.String("")
  String getFirstFold();

  void setFirstFold(String value);

  @Description("Days between fold cutoffs.")
  @Default.Integer(7)
  int getFoldEveryDays();

  void setFoldEveryDays(int value);

  @Description("Number of folds.")
  @Default.Integer(4)
  int getFolds();

  void setFolds(int value);

  @Description(
      "Fewest cutoffs each fold's model learns from: cutoffs whose label window ends at or before the"
          + " early-stopping cutoff, itself the newest cutoff whose label window ends at or before the fold.")
  @Default.Integer(1)
  int getMinTrainingCutoffs();

  void setMinTrainingCutoffs(int value);

  @Description(
      "Who the campaign can contact per fold: a share of the eligible entities (10%) or a number"
          + " (500). Every strategy contacts the same number.")
  @Default.String("10%")
  String getCapacity();

  void setCapacity(String value);

  @Description("Value of a retained customer (currency units), when --valueFeature is not given.")
  @Default.Double(100.0)
  double getValuePerCustomer();

  void setValuePerCustomer(double value);

  @Description(
      "A numeric feature giving each entity's value instead of --valuePerCustomer, e.g. revenue_90d"
          + " (missing values count as 0).")
  @Default.String("")
  String getValueFeature();

  void setValueFeature(String value);

  @Description("Cost of contacting one customer (currency units).")
  @Default.Double(1.0)
  double getCostPerContact();

  void setCostPerContact(double value);

  @Description(
      "Cost of the offer, paid for every contacted customer who takes it: the would-be churners"
          + " kept, and the customers who would have stayed anyway.")
  @Default.Double(10.0)
  double getOfferCost();

  void setOfferCost(double value);

  @Description(
      "Assumed save rate: the share of contacted would-be churners the campaign keeps. The history"
          + " cannot tell it (nobody was contacted): an A/B test measures it (--saveRateFrom).")
  @Default.Double(0.2)
  double getSaveRate();

  void setSaveRate(double value);

  @Description(
      "Output directory of an A/B analysis: its analysis.json saveRate.estimate replaces --saveRate"
          + " and its 95% interval joins the save-rate grid.")
  @Default.String("")
  String getSaveRateFrom();

  void setSaveRateFrom(String value);

  @Description("Further save rates to report the net value at, comma-separated.")
  @Default.String("0.05,0.1,0.2,0.3,0.5")
  String getSaveRateGrid();

  void setSaveRateGrid(String value);

  @Description("Seeded random campaigns drawn per fold, around random targeting's expectation.")
  @Default.Integer(200)
  int getRandomDraws();

  void setRandomDraws(int value);
}
