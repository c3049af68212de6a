package io.mlproof.pipelines.score;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;

/**
 * The scores of one prediction batch: entity ids and their scores, row for row, without a rank.
 * What travels from the predicting workers to the one ranking worker: one element per batch of
 * thousands of rows, instead of a {@code Score} proto per row (the model id and day are the same
 * for every row, so the ranking step adds them), which made the gather cost more than the
 * prediction (docs/bench/scoring.md).
 */
record ScoredBatch(String[] ids, double[] scores) {

  static final BatchCoder CODER = new BatchCoder();

  ScoredBatch {
    if (ids.length != scores.length) {
      throw new IllegalArgumentException(ids.length + " ids but " + scores.length + " scores");
    }
  }

  int size() {
    return ids.length;
  }

  /** Row count, then the ids (as Beam's UTF-8 string coder writes them), then the scores. */
  static final class BatchCoder extends CustomCoder<ScoredBatch> {
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(ScoredBatch batch, OutputStream out) throws IOException {
      VarIntCoder.of().encode(batch.size(), out);
      for (String id : batch.ids()) {
        StringUtf8Coder.of().encode(id, out);
      }
      DataOutputStream data = new DataOutputStream(out);
      for (double score : batch.scores()) {
        data.writeDouble(score);
      }
      data.flush();
    }

    @Override
    public ScoredBatch decode(InputStream in) throws IOException {
      int size = VarIntCoder.of().decode(in);
      String[] ids = new String[size];
      for (int i = 0; i < size; i++) {
        ids[i] = StringUtf8Coder.of().decode(in);
      }
      DataInputStream data = new DataInputStream(in);
      double[] scores = new double[size];
      for (int i = 0; i < size; i++) {
        scores[i] = data.readDouble();
      }
      return new ScoredBatch(ids, scores);
    }
  }
}
