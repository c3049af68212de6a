package io.mlproof.pipelines.features;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;

/** The aggregation key: one entity at one cutoff (days since epoch). */
public record EntityCutoff(String entityId, int cutoffDay) {

  /** Compact deterministic coder: the key is encoded for every shuffled element. */
  public static final class Coder extends AtomicCoder<EntityCutoff> {
    private static final long serialVersionUID = 1L;
    private static final Coder INSTANCE = new Coder();
    private static final StringUtf8Coder ID = StringUtf8Coder.of();
    private static final VarIntCoder DAY = VarIntCoder.of();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(EntityCutoff value, OutputStream out) throws IOException {
      ID.encode(value.entityId(), out);
      DAY.encode(value.cutoffDay(), out);
    }

    @Override
    public EntityCutoff decode(InputStream in) throws IOException {
      return new EntityCutoff(ID.decode(in), DAY.decode(in));
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    public boolean consistentWithEquals() {
      return true;
    }
  }
}
