package io.mlproof.pipelines.features;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.util.VarInt;

/**
 * One entity-day as the combine sees it: the day (days since epoch), the entity's signup day, and
 * the day's measures indexed by {@link Measure#ordinal()}. Never mutated after creation.
 */
public record DayRow(int day, long signupDay, long[] measures) {

  /** Varint coder; {@link Measure#EVENTS} is derived, so it is not encoded. */
  public static final class Coder extends AtomicCoder<DayRow> {
    private static final long serialVersionUID = 1L;
    private static final Coder INSTANCE = new Coder();
    private static final int STORED = Measure.EVENTS.ordinal();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(DayRow row, OutputStream out) throws IOException {
      VarInt.encode(row.day(), out);
      VarInt.encode(row.signupDay(), out);
      for (int i = 0; i < STORED; i++) {
        VarInt.encode(row.measures()[i], out);
      }
    }

    @Override
    public DayRow decode(InputStream in) throws IOException {
      int day = VarInt.decodeInt(in);
      long signup = VarInt.decodeLong(in);
      long[] m = new long[Measure.COUNT];
      for (int i = 0; i < STORED; i++) {
        m[i] = VarInt.decodeLong(in);
      }
      m[STORED] = m[Measure.SESSIONS.ordinal()] + m[Measure.PAGE_VIEWS.ordinal()]
          + m[Measure.ADD_TO_CARTS.ordinal()] + m[Measure.PURCHASES.ordinal()];
      return new DayRow(day, signup, m);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
