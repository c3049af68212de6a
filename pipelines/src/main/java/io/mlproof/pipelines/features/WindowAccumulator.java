package io.mlproof.pipelines.features;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.util.VarInt;

/**
 * What {@link WindowFolder} folds per entity, for each cutoff of the run: one long per slot of the
 * {@link FeaturePlan}, the signup day seen on that cutoff's feature-window rows, and the label
 * measure summed over its label window. Mutable on purpose: a CombineFn accumulator is updated in
 * place for speed.
 */
public final class WindowAccumulator {
  static final long NONE = Long.MAX_VALUE;

  final int cutoffs;
  final int slots;

  /** Slot values, cutoff-major: {@code values[cutoff * slots + slot]}. */
  final long[] values;

  /**
   * Per cutoff: smallest signup day on rows before the cutoff; {@link #NONE} when there were none.
   */
  final long[] signupDay;

  /** Per cutoff: the label measure summed over the label window. */
  final long[] labelCount;

  /**
   * Per cutoff: smallest signup day on label-window rows; only to tell why an entity was not
   * eligible.
   */
  final long[] labelSignupDay;

  WindowAccumulator(int cutoffs, int slots) {
    this.cutoffs = cutoffs;
    this.slots = slots;
    this.values = new long[cutoffs * slots];
    this.signupDay = new long[cutoffs];
    this.labelCount = new long[cutoffs];
    this.labelSignupDay = new long[cutoffs];
    Arrays.fill(signupDay, NONE);
    Arrays.fill(labelSignupDay, NONE);
  }

  /** Whether any row fell into cutoff {@code c}'s feature or label window. */
  boolean touched(int c) {
    return signupDay[c] != NONE || labelSignupDay[c] != NONE;
  }

  /**
   * Varint coder that skips untouched cutoffs, so an entity seen at one cutoff of many costs about
   * what a single-cutoff accumulator costs.
   */
  public static final class Coder extends AtomicCoder<WindowAccumulator> {
    private static final long serialVersionUID = 1L;
    private static final int HAS_SIGNUP = 1;
    private static final int HAS_LABEL_SIGNUP = 2;
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(WindowAccumulator acc, OutputStream out) throws IOException {
      VarInt.encode(acc.cutoffs, out);
      VarInt.encode(acc.slots, out);
      for (int c = 0; c < acc.cutoffs; c++) {
        int flags =
            (acc.signupDay[c] != NONE ? HAS_SIGNUP : 0)
                | (acc.labelSignupDay[c] != NONE ? HAS_LABEL_SIGNUP : 0);
        out.write(flags);
        if (flags == 0) {
          continue;
        }
        for (int s = c * acc.slots; s < (c + 1) * acc.slots; s++) {
          VarInt.encode(acc.values[s], out);
        }
        if ((flags & HAS_SIGNUP) != 0) {
          VarInt.encode(acc.signupDay[c], out);
        }
        if ((flags & HAS_LABEL_SIGNUP) != 0) {
          VarInt.encode(acc.labelSignupDay[c], out);
        }
        VarInt.encode(acc.labelCount[c], out);
      }
    }

    @Override
    public WindowAccumulator decode(InputStream in) throws IOException {
      WindowAccumulator acc = new WindowAccumulator(VarInt.decodeInt(in), VarInt.decodeInt(in));
      for (int c = 0; c < acc.cutoffs; c++) {
        int flags = in.read();
        if (flags < 0) {
          throw new EOFException("truncated WindowAccumulator");
        }
        if (flags == 0) {
          continue;
        }
        for (int s = c * acc.slots; s < (c + 1) * acc.slots; s++) {
          acc.values[s] = VarInt.decodeLong(in);
        }
        if ((flags & HAS_SIGNUP) != 0) {
          acc.signupDay[c] = VarInt.decodeLong(in);
        }
        if ((flags & HAS_LABEL_SIGNUP) != 0) {
          acc.labelSignupDay[c] = VarInt.decodeLong(in);
        }
        acc.labelCount[c] = VarInt.decodeLong(in);
      }
      return acc;
    }

    @Override
    public void verifyDeterministic() {}
  }
}
