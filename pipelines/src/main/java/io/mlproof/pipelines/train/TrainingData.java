package io.mlproof.pipelines.train;

import io.mlproof.pipelines.core.Sha256;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The rows LightGBM trains on and the rows it is measured on, plus what was dropped and why.
 *
 * @param split how the rows were split, in words (for the report and the metadata)
 * @param counters rows read, used and dropped, by reason (they go into the manifest)
 */
public record TrainingData(
    ExampleMatrix train, ExampleMatrix validation, String split, Map<String, Long> counters) {

  /**
   * The time-aware split of examples from the features stage: validation is the newest cutoff day
   * with labels, training every older one. Never a random split across time. With {@code purge},
   * training rows whose label window reaches past the validation cutoff (cutoff + horizon > the
   * validation cutoff) are left out: their labels were observed after the day the model would be
   * deployed, which leaks the future into training.
   */
  public static TrainingData byTime(ExampleBuffer examples, boolean purge) {
    int[] order = examples.canonicalOrder();
    long unlabelled = 0;
    int newest = Integer.MIN_VALUE;
    for (int i = 0; i < order.length; i++) {
      int r = order[i];
      if (i > 0 && examples.cutoff(r) == examples.cutoff(order[i - 1])
          && examples.id(r).equals(examples.id(order[i - 1]))) {
        throw new InvalidInputException(
            "entity " + examples.id(r) + " appears twice at cutoff day " + examples.cutoff(r)
                + ": the examples must hold one row per entity and cutoff (check the features task)");
      }
      if (examples.hasLabel(r)) {
        newest = Math.max(newest, examples.cutoff(r));
      } else {
        unlabelled++;
      }
    }
    if (newest == Integer.MIN_VALUE) {
      throw new RunFailedException(
          "none of the " + order.length + " examples has a label: training needs cutoffs whose label"
              + " window is over (move the training cutoffs back by the label horizon)");
    }
    int validationDay = newest;
    int horizon = examples.spec().getLabel().getHorizonDays();
    long[] purged = {0};
    int[] train = IntStream.of(order)
        .filter(r -> examples.hasLabel(r) && examples.cutoff(r) < validationDay)
        .filter(r -> {
          boolean overlaps = purge && (long) examples.cutoff(r) + horizon > validationDay;
          purged[0] += overlaps ? 1 : 0;
          return !overlaps;
        })
        .toArray();
    int[] validation = IntStream.of(order)
        .filter(r -> examples.hasLabel(r) && examples.cutoff(r) == validationDay)
        .toArray();
    if (train.length == 0) {
      throw new RunFailedException(
          "no training rows before the validation cutoff day " + validationDay
              + (purged[0] > 0 ? " (" + purged[0] + " rows were left out because their " + horizon
                  + "-day label window overlaps it)" : "")
              + ": the time-aware split needs cutoffs at least " + horizon
              + " days before the newest one; add older cutoffs to the features task");
    }
    Map<String, Long> counters = new TreeMap<>();
    counters.put("examples_read", (long) order.length);
    counters.put("examples_unlabelled_skipped", unlabelled);
    counters.put("train_rows_purged_label_overlap", purged[0]);
    counters.put("train_rows", (long) train.length);
    counters.put("validation_rows", (long) validation.length);
    String split = "time: train on cutoff days before " + validationDay + ", validate on day " + validationDay;
    return new TrainingData(examples.select(train), examples.select(validation), split, counters);
  }

  public int validationCutoffDay() {
    return validation.cutoffDays().length == 0 ? 0 : validation.cutoffDays()[0];
  }

  /**
   * SHA-256 of the training and validation rows in canonical order: the spec hash, then per
   * matrix the entity ids, cutoff days, labels and the feature values' bits (little-endian). The
   * same data hashes the same however it was sharded.
   */
  public String inputSha256() {
    MessageDigest digest = Sha256.digest();
    digest.update(train.specHash().getBytes(StandardCharsets.US_ASCII));
    ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    for (ExampleMatrix m : new ExampleMatrix[] {train, validation}) {
      for (int r = 0; r < m.rows(); r++) {
        byte[] id = m.entityIds()[r].getBytes(StandardCharsets.UTF_8);
        if (buffer.remaining() < id.length + 9) {
          flush(digest, buffer);
          if (buffer.remaining() < id.length + 9) {
            digest.update(id); // an id longer than the buffer
            id = new byte[0];
          }
        }
        buffer.putInt(id.length).put(id).putInt(m.cutoffDays()[r]).put((byte) (m.labels()[r] ? 1 : 0));
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
