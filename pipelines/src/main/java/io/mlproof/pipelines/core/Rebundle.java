package io.mlproof.pipelines.core;

import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Gathers a collection keyed by many distinct keys (the output of a {@code Combine.perKey} or
 * {@code GroupByKey}) into a few groups and back, so that the steps after it see a few large
 * bundles.
 *
 * <p>Why: after a GroupByKey, Beam's Direct runner hands each key to the next step in a bundle of
 * its own, and for every bundle of a ParDo it builds an evaluator that, in Beam 2.62, translates
 * the ParDo to its portable proto twice ({@code ParDoEvaluatorFactory.forApplication} calls {@code
 * ParDoTranslation.getSchemaInformation} and {@code getSideInputMapping}, neither of which
 * short-cuts for a {@code ParDo.MultiOutput}): each time it Java-serializes the DoFn and the custom
 * coders, then deserializes the DoFn. That costs about a millisecond per key for each ParDo, more
 * with side inputs or a large DoFn, and a file write alone is several ParDos. Here only the small
 * {@code AssignGroup} step runs per key; everything after the GroupByKey runs once per group. On
 * Flink this is one more shuffle of already aggregated elements, with no measurable cost.
 *
 * <p>Groups come from the key's {@code String.hashCode}, so a key lands in the same group on every
 * run.
 */
public final class Rebundle<V>
    extends PTransform<PCollection<KV<String, V>>, PCollection<KV<String, V>>> {
  private final int groups;

  private Rebundle(int groups) {
    this.groups = groups;
  }

  /**
   * Into {@code groups} groups. The steps after it run in at most that many parallel bundles, and
   * the Direct runner copies a group's buffered values once per incoming key (its GroupByKey state
   * is copy-on-access), about keys&sup2; / (2 groups) small copies in all.
   */
  public static <V> Rebundle<V> into(int groups) {
    if (groups < 1) {
      throw new IllegalArgumentException("groups must be positive, got " + groups);
    }
    return new Rebundle<>(groups);
  }

  @Override
  public PCollection<KV<String, V>> expand(PCollection<KV<String, V>> input) {
    Coder<KV<String, V>> coder = input.getCoder();
    return input
        .apply("AssignGroup", ParDo.of(new AssignGroupFn<>(groups, coder)))
        .setCoder(KvCoder.of(VarIntCoder.of(), ByteArrayCoder.of()))
        .apply("Group", GroupByKey.create())
        .apply("Ungroup", ParDo.of(new UngroupFn<>(coder)))
        .setCoder(coder);
  }

  /**
   * Emits each element encoded: the Direct runner's copies of a group's buffer are then byte
   * copies.
   */
  private static final class AssignGroupFn<V> extends DoFn<KV<String, V>, KV<Integer, byte[]>> {
    private static final long serialVersionUID = 1L;
    private final int groups;
    private final Coder<KV<String, V>> coder;

    AssignGroupFn(int groups, Coder<KV<String, V>> coder) {
      this.groups = groups;
      this.coder = coder;
    }

    @ProcessElement
    public void process(@Element KV<String, V> element, OutputReceiver<KV<Integer, byte[]>> out)
        throws CoderException {
      out.output(
          KV.of(
              Math.floorMod(element.getKey().hashCode(), groups),
              CoderUtils.encodeToByteArray(coder, element)));
    }
  }

  private static final class UngroupFn<V>
      extends DoFn<KV<Integer, Iterable<byte[]>>, KV<String, V>> {
    private static final long serialVersionUID = 1L;
    private final Coder<KV<String, V>> coder;

    UngroupFn(Coder<KV<String, V>> coder) {
      this.coder = coder;
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<byte[]>> group, OutputReceiver<KV<String, V>> out)
        throws CoderException {
      for (byte[] element : group.getValue()) {
        out.output(CoderUtils.decodeFromByteArray(coder, element));
      }
    }
  }
}
