package io.mlproof.pipelines.extract;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;

/**
 * What one parsed row became, serialized: a record or a dead letter. The parse step has this one
 * output, so on Flink it chains with the file write instead of splitting into two outputs whose
 * every element crosses a local exchange (docs/bench/extract.md, session 7). {@code bytes} is never
 * modified after construction.
 */
record Outcome(boolean deadLetter, byte[] bytes) {

  static Outcome record(byte[] bytes) {
    return new Outcome(false, bytes);
  }

  static Outcome deadLetter(byte[] bytes) {
    return new Outcome(true, bytes);
  }

  /**
   * The output it is written to: {@link ExtractPipeline#RECORDS} or {@link
   * ExtractPipeline#DEAD_LETTER}.
   */
  String destination() {
    return deadLetter ? ExtractPipeline.DEAD_LETTER : ExtractPipeline.RECORDS;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Outcome other
        && deadLetter == other.deadLetter
        && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return 31 * Boolean.hashCode(deadLetter) + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return destination() + "[" + bytes.length + " bytes]";
  }

  /** The kind, then the bytes. */
  static final class Coder extends AtomicCoder<Outcome> {
    private static final long serialVersionUID = 1L;
    private static final Coder INSTANCE = new Coder();

    static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(Outcome value, OutputStream out) throws IOException {
      BooleanCoder.of().encode(value.deadLetter(), out);
      ByteArrayCoder.of().encode(value.bytes(), out);
    }

    @Override
    public Outcome decode(InputStream in) throws IOException {
      return new Outcome(BooleanCoder.of().decode(in), ByteArrayCoder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
