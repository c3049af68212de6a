package io.mlproof.pipelines.features;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.util.VarInt;

/**
 * What {@link AggregateWindowsFn} keeps per (entity, cutoff): one long per slot of the
 * {@link FeaturePlan}, the signup day seen on feature-window rows, and the label measure summed
 * over the label window. Mutable on purpose: a CombineFn accumulator is updated in place for speed.
 */
public final class WindowAccumulator {
  static final long NONE = Long.MAX_VALUE;

  final long[] slots;
  /** Smallest signup day on rows before the cutoff; {@link #NONE} when there were none. */
  long signupDay = NONE;
  /** Sum of the label measure over the label window. */
  long labelCount;
  /** Smallest signup day on label-window rows; only to tell why an entity was not eligible. */
  long labelSignupDay = NONE;

  WindowAccumulator(int slotCount) {
    this.slots = new long[slotCount];
  }

  /** Varint coder; slot values are small non-negative counts in practice. */
  public static final class Coder extends AtomicCoder<WindowAccumulator> {
    private static final long serialVersionUID = 1L;
    private static final int HAS_SIGNUP = 1;
    private static final int HAS_LABEL_SIGNUP = 2;

    @Override
    public void encode(WindowAccumulator acc, OutputStream out) throws IOException {
      VarInt.encode(acc.slots.length, out);
      for (long v : acc.slots) {
        VarInt.encode(v, out);
      }
      int flags = (acc.signupDay != NONE ? HAS_SIGNUP : 0) | (acc.labelSignupDay != NONE ? HAS_LABEL_SIGNUP : 0);
      out.write(flags);
      if (acc.signupDay != NONE) {
        VarInt.encode(acc.signupDay, out);
      }
      if (acc.labelSignupDay != NONE) {
        VarInt.encode(acc.labelSignupDay, out);
      }
      VarInt.encode(acc.labelCount, out);
    }

    @Override
    public WindowAccumulator decode(InputStream in) throws IOException {
      WindowAccumulator acc = new WindowAccumulator(VarInt.decodeInt(in));
      for (int i = 0; i < acc.slots.length; i++) {
        acc.slots[i] = VarInt.decodeLong(in);
      }
      int flags = in.read();
      if (flags < 0) {
        throw new java.io.EOFException("truncated WindowAccumulator");
      }
      if ((flags & HAS_SIGNUP) != 0) {
        acc.signupDay = VarInt.decodeLong(in);
      }
      if ((flags & HAS_LABEL_SIGNUP) != 0) {
        acc.labelSignupDay = VarInt.decodeLong(in);
      }
      acc.labelCount = VarInt.decodeLong(in);
      return acc;
    }
  }
}
