package io.mlproof.pipelines.model;

import io.mlproof.pipelines.core.Sha256;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

/**
 * The rows of one honest evaluation: LightGBM learns on {@code train}; everything that is chosen
 * (early stopping, the operating threshold, the heuristic rule) is chosen on {@code validation};
 * {@code test} is read once, at the end, to measure. See {@link SplitPlanner} for how rows are
 * split.
 *
 * @param split how the rows were split, in words (for the report and the metadata)
 * @param counters rows read, used and dropped, by reason (they go into the manifest)
 */
public record TrainingData(
    ExampleMatrix train,
    ExampleMatrix validation,
    ExampleMatrix test,
    String split,
    Map<String, Long> counters) {

  /** The validation cutoff day of a time split (0 for a table without time). */
  public int validationCutoffDay() {
    return validation.cutoffDays().length == 0 ? 0 : validation.cutoffDays()[0];
  }

  /** The test cutoff day of a time split (0 for a table without time). */
  public int testCutoffDay() {
    return test.cutoffDays().length == 0 ? 0 : test.cutoffDays()[0];
  }

  /**
   * SHA-256 of the training, validation and test rows in canonical order: the spec hash, then per
   * matrix the entity ids, cutoff days, labels and the feature values' bits (little-endian). The
   * same data hashes the same however it was sharded.
   */
  public String inputSha256() {
    MessageDigest digest = Sha256.digest();
    digest.update(train.specHash().getBytes(StandardCharsets.US_ASCII));
    ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    for (ExampleMatrix m : new ExampleMatrix[] {train, validation, test}) {
      for (int r = 0; r < m.rows(); r++) {
        byte[] id = m.entityIds()[r].getBytes(StandardCharsets.UTF_8);
        if (buffer.remaining() < id.length + 9) {
          flush(digest, buffer);
          if (buffer.remaining() < id.length + 9) {
            digest.update(id); // an id longer than the buffer
            id = new byte[0];
          }
        }
        buffer
            .putInt(id.length)
            .put(id)
            .putInt(m.cutoffDays()[r])
            .put((byte) (m.labels()[r] ? 1 : 0));
      }
      flush(digest, buffer);
      double[] values = m.values();
      int chunk = buffer.capacity() / Double.BYTES;
      for (int offset = 0; offset < values.length; offset += chunk) {
        int n = Math.min(chunk, values.length - offset);
        buffer.asDoubleBuffer().put(values, offset, n);
        buffer.position(n * Double.BYTES);
        flush(digest, buffer);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void flush(MessageDigest digest, ByteBuffer buffer) {
    digest.update(buffer.array(), 0, buffer.position());
    buffer.clear();
  }
}
