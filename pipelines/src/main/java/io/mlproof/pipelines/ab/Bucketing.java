package io.mlproof.pipelines.ab;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Deterministic assignment: SHA-256 of (experiment id, entity id) salted by the experiment, the
 * first 8 bytes as an unsigned number modulo the bucket count, and each arm owning a contiguous
 * range of buckets in proportion to its share. The same entity gets the same arm in every run, on
 * every runner and machine; a new experiment id reshuffles everyone (no carry-over between
 * experiments).
 */
public final class Bucketing implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String experimentId;
  private final int buckets;
  private final String[] arms;
  private final int[] upperBucket; // arm i owns [upperBucket[i-1], upperBucket[i])

  public Bucketing(String experimentId, int buckets, List<AbAnalyzer.Arm> allocation) {
    if (experimentId.isEmpty()) {
      throw new io.mlproof.pipelines.core.InvalidInputException("--experimentId must not be empty");
    }
    if (buckets < allocation.size() || buckets > 1_000_000) {
      throw new io.mlproof.pipelines.core.InvalidInputException(
          "--buckets=" + buckets + " must be between the number of arms and 1000000");
    }
    this.experimentId = experimentId;
    this.buckets = buckets;
    this.arms = allocation.stream().map(AbAnalyzer.Arm::name).toArray(String[]::new);
    this.upperBucket = new int[arms.length];
    double cumulative = 0;
    for (int i = 0; i < arms.length; i++) {
      cumulative += allocation.get(i).share();
      upperBucket[i] = i == arms.length - 1 ? buckets : (int) Math.round(cumulative * buckets);
    }
    for (int i = 0; i < arms.length; i++) {
      if (upperBucket[i] <= (i == 0 ? 0 : upperBucket[i - 1])) {
        throw new io.mlproof.pipelines.core.InvalidInputException(
            "arm " + arms[i] + " gets no bucket of " + buckets + ": raise --buckets or its share");
      }
    }
  }

  /** The entity's bucket, 0 .. buckets - 1. */
  public int bucket(String entityId) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(experimentId.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0); // separator: ("ab", "c") and ("a", "bc") must differ
      sha.update(entityId.getBytes(StandardCharsets.UTF_8));
      long value = ByteBuffer.wrap(sha.digest()).getLong();
      return (int) Long.remainderUnsigned(value, buckets);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /** The arm owning {@code bucket}. */
  public String arm(int bucket) {
    for (int i = 0; i < arms.length; i++) {
      if (bucket < upperBucket[i]) {
        return arms[i];
      }
    }
    throw new IllegalArgumentException("bucket " + bucket + " is not below " + buckets);
  }

  /** The first arm is control; every other arm is treated. */
  public boolean isControl(String arm) {
    return arms[0].equals(arm);
  }
}
