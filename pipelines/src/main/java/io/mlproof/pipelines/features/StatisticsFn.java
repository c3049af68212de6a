package io.mlproof.pipelines.features;

import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.Example;
import io.mlproof.proto.v1.FeatureStatistics;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.transforms.ApproximateQuantiles.ApproximateQuantilesCombineFn;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Dataset statistics of examples (what TFX's StatisticsGen computes): per feature the count of
 * present values, the missing (NaN) count, min/max/mean/population stddev of present values and
 * their deciles; the label rate over labelled examples; the cutoffs present.
 *
 * <p>Deciles come from Beam's {@link ApproximateQuantilesCombineFn} (rank error at most 1% of the
 * count; exact for small inputs). Means and variances merge with Chan et al.'s parallel formula.
 */
public final class StatisticsFn
    extends Combine.CombineFn<Example, StatisticsFn.Accumulator, DatasetStatistics> {
  private static final long serialVersionUID = 1L;

  /** q0, q10, ..., q100. */
  public static final int QUANTILES = 11;

  private final List<String> featureNames;
  private final String specHash;

  /**
   * Beam's quantile sketch, used through its CombineFn methods (its state class is
   * package-private).
   */
  private final Combine.CombineFn<Double, Object, List<Double>> quantiles = quantileFn();

  public StatisticsFn(List<String> featureNames, String specHash) {
    this.featureNames = List.copyOf(featureNames);
    this.specHash = specHash;
  }

  /** Running statistics; mutable, as CombineFn accumulators are. */
  public static final class Accumulator {
    long examples;
    long labeled;
    long positives;
    final TreeSet<Integer> cutoffs = new TreeSet<>();
    final long[] present;
    final long[] missing;
    final double[] min;
    final double[] max;
    final double[] mean;
    final double[] m2;
    final List<Object> sketches;

    Accumulator(int features) {
      present = new long[features];
      missing = new long[features];
      min = new double[features];
      max = new double[features];
      mean = new double[features];
      m2 = new double[features];
      java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
      java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
      sketches = new ArrayList<>(features);
    }
  }

  @Override
  public Accumulator createAccumulator() {
    Accumulator acc = new Accumulator(featureNames.size());
    for (int f = 0; f < featureNames.size(); f++) {
      acc.sketches.add(quantiles.createAccumulator());
    }
    return acc;
  }

  @Override
  public Accumulator addInput(Accumulator acc, Example example) {
    if (example.getFeaturesCount() != featureNames.size()) {
      throw new IllegalStateException(
          "example of "
              + example.getEntityId()
              + " has "
              + example.getFeaturesCount()
              + " features, the spec "
              + featureNames.size());
    }
    acc.examples++;
    if (example.getHasLabel()) {
      acc.labeled++;
      acc.positives += example.getLabel() ? 1 : 0;
    }
    acc.cutoffs.add(example.getCutoffDay());
    for (int f = 0; f < featureNames.size(); f++) {
      double x = example.getFeatures(f);
      if (Double.isNaN(x)) {
        acc.missing[f]++;
        continue;
      }
      long n = ++acc.present[f];
      double delta = x - acc.mean[f];
      acc.mean[f] += delta / n;
      acc.m2[f] += delta * (x - acc.mean[f]);
      acc.min[f] = Math.min(acc.min[f], x);
      acc.max[f] = Math.max(acc.max[f], x);
      acc.sketches.set(f, quantiles.addInput(acc.sketches.get(f), x));
    }
    return acc;
  }

  @Override
  public Accumulator mergeAccumulators(Iterable<Accumulator> accumulators) {
    Accumulator merged = createAccumulator();
    for (Accumulator a : accumulators) {
      merged.examples += a.examples;
      merged.labeled += a.labeled;
      merged.positives += a.positives;
      merged.cutoffs.addAll(a.cutoffs);
      for (int f = 0; f < featureNames.size(); f++) {
        long n = merged.present[f] + a.present[f];
        if (a.present[f] > 0) {
          double delta = a.mean[f] - merged.mean[f];
          merged.m2[f] += a.m2[f] + delta * delta * merged.present[f] * a.present[f] / n;
          merged.mean[f] += delta * a.present[f] / n;
        }
        merged.present[f] = n;
        merged.missing[f] += a.missing[f];
        merged.min[f] = Math.min(merged.min[f], a.min[f]);
        merged.max[f] = Math.max(merged.max[f], a.max[f]);
        merged.sketches.set(
            f, quantiles.mergeAccumulators(List.of(merged.sketches.get(f), a.sketches.get(f))));
      }
    }
    return merged;
  }

  @Override
  public DatasetStatistics extractOutput(Accumulator acc) {
    DatasetStatistics.Builder stats =
        DatasetStatistics.newBuilder()
            .setFeatureSpecHash(specHash)
            .setExamples(acc.examples)
            .setLabeledExamples(acc.labeled)
            .setPositives(acc.positives)
            .setLabelRate(acc.labeled == 0 ? Double.NaN : (double) acc.positives / acc.labeled)
            .addAllCutoffDays(acc.cutoffs);
    for (int f = 0; f < featureNames.size(); f++) {
      FeatureStatistics.Builder fs =
          FeatureStatistics.newBuilder()
              .setFeature(featureNames.get(f))
              .setCount(acc.present[f])
              .setMissing(acc.missing[f]);
      if (acc.present[f] > 0) {
        fs.setMin(acc.min[f])
            .setMax(acc.max[f])
            .setMean(acc.mean[f])
            .setStddev(Math.sqrt(acc.m2[f] / acc.present[f]))
            .addAllQuantiles(quantiles.extractOutput(acc.sketches.get(f)));
      }
      stats.addFeatures(fs);
    }
    return stats.build();
  }

  @Override
  public Coder<Accumulator> getAccumulatorCoder(CoderRegistry registry, Coder<Example> input)
      throws CannotProvideCoderException {
    return new AccumulatorCoder(
        featureNames.size(), quantiles, quantiles.getAccumulatorCoder(registry, DoubleCoder.of()));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Combine.CombineFn<Double, Object, List<Double>> quantileFn() {
    return (Combine.CombineFn) ApproximateQuantilesCombineFn.<Double>create(QUANTILES);
  }

  /**
   * Coder of {@link Accumulator}: fixed-size columns, then the quantile sketches of features with
   * present values (Beam's sketch coder cannot encode an empty sketch: its min and max are null).
   */
  private static final class AccumulatorCoder extends AtomicCoder<Accumulator> {
    private static final long serialVersionUID = 1L;
    private final int features;
    private final Combine.CombineFn<Double, Object, List<Double>> quantiles;
    private final Coder<Object> sketchCoder;

    AccumulatorCoder(
        int features,
        Combine.CombineFn<Double, Object, List<Double>> quantiles,
        Coder<Object> sketchCoder) {
      this.features = features;
      this.quantiles = quantiles;
      this.sketchCoder = sketchCoder;
    }

    @Override
    public void encode(Accumulator acc, OutputStream out) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      data.writeLong(acc.examples);
      data.writeLong(acc.labeled);
      data.writeLong(acc.positives);
      data.writeInt(acc.cutoffs.size());
      for (int c : acc.cutoffs) {
        data.writeInt(c);
      }
      for (int f = 0; f < features; f++) {
        data.writeLong(acc.present[f]);
        data.writeLong(acc.missing[f]);
        data.writeDouble(acc.min[f]);
        data.writeDouble(acc.max[f]);
        data.writeDouble(acc.mean[f]);
        data.writeDouble(acc.m2[f]);
      }
      data.flush();
      for (int f = 0; f < features; f++) {
        if (acc.present[f] > 0) {
          sketchCoder.encode(acc.sketches.get(f), out);
        }
      }
    }

    @Override
    public Accumulator decode(InputStream in) throws IOException {
      DataInputStream data = new DataInputStream(in);
      Accumulator acc = new Accumulator(features);
      acc.examples = data.readLong();
      acc.labeled = data.readLong();
      acc.positives = data.readLong();
      int cutoffs = data.readInt();
      for (int i = 0; i < cutoffs; i++) {
        acc.cutoffs.add(data.readInt());
      }
      for (int f = 0; f < features; f++) {
        acc.present[f] = data.readLong();
        acc.missing[f] = data.readLong();
        acc.min[f] = data.readDouble();
        acc.max[f] = data.readDouble();
        acc.mean[f] = data.readDouble();
        acc.m2[f] = data.readDouble();
      }
      for (int f = 0; f < features; f++) {
        acc.sketches.add(
            acc.present[f] > 0 ? sketchCoder.decode(in) : quantiles.createAccumulator());
      }
      return acc;
    }
  }
}
