package io.mlproof.pipelines.score;

import com.google.protobuf.ByteString;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.evaluate.IndexSort;
import io.mlproof.pipelines.evaluate.Ranking;
import io.mlproof.proto.v1.Score;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Serializable;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Ranks all scores (1 = highest, equal scores by entity id) and writes them, in rank order, as one
 * TFRecord file of {@code Score} records and one CSV. A rank is global, so the scores meet on one
 * worker: a GroupByKey on a single key of {@link ScoredBatch}es (ids and scores only, a few
 * elements per thousand rows), then one DoFn that sorts, builds each {@code Score} once and writes
 * it (the files' names are fixed, so a retried bundle rewrites the same files).
 */
final class RankScores extends PTransform<PCollection<ScoredBatch>, PCollection<Void>> {
  private static final String ALL = "all";

  /** CSV characters gathered before they go to the file's writer. */
  private static final int CSV_CHUNK = 1 << 16;

  private final Output output;

  /** Where the ranked scores go and what every one of them carries besides its id and score. */
  record Output(String recordsFile, String csvFile, String modelId, int scoreDay, String where)
      implements Serializable {}

  RankScores(Output output) {
    this.output = output;
  }

  @Override
  public PCollection<Void> expand(PCollection<ScoredBatch> batches) {
    return batches
        .apply(
            "OneKey", WithKeys.<String, ScoredBatch>of(ALL).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), ScoredBatch.CODER))
        .apply("Gather", GroupByKey.create())
        .apply("RankAndWrite", ParDo.of(new RankAndWriteFn(output)));
  }

  /**
   * Row indices in rank order: by score descending, equal scores by entity id, the order every
   * ranking metric uses ({@link Ranking#descending} over the rows sorted by id). One radix sort by
   * score, then only each run of equal scores sorted by id: sorting every row by id first cost most
   * of the ranking step on a million rows (String comparisons). An id that appears twice is an
   * error naming it (the smallest such id, as before), checked first.
   */
  static int[] rank(String[] ids, double[] scores, String where) {
    String twice = smallestDuplicate(ids);
    if (twice != null) {
      throw new InvalidInputException(
          "entity "
              + twice
              + " appears twice at the scoring day in "
              + where
              + ": the features must hold one row per entity");
    }
    for (int i = 0; i < scores.length; i++) {
      if (Double.isNaN(scores[i])) {
        throw new IllegalArgumentException(
            "score of entity " + ids[i] + " is NaN: scores must be numbers");
      }
    }
    long[] keys = descendingKeys(scores);
    int[] ranked = sortByKey(keys);
    for (int start = 0, end; start < ranked.length; start = end) {
      end = start + 1;
      while (end < ranked.length && keys[end] == keys[start]) {
        end++;
      }
      if (end - start > 1) { // equal scores: by id
        int[] run = Arrays.copyOfRange(ranked, start, end);
        int[] byId = IndexSort.sorted(run.length, (a, b) -> ids[run[a]].compareTo(ids[run[b]]));
        for (int i = 0; i < run.length; i++) {
          ranked[start + i] = run[byId[i]];
        }
      }
    }
    return ranked;
  }

  /**
   * Each score as a long whose unsigned order is {@link Double#compare}'s order reversed (-0.0
   * after 0.0; no NaN): the sign bit flipped for positive numbers, every bit for negative ones,
   * then all bits inverted.
   */
  private static long[] descendingKeys(double[] scores) {
    long[] keys = new long[scores.length];
    for (int i = 0; i < scores.length; i++) {
      long bits = Double.doubleToLongBits(scores[i]);
      keys[i] = ~(bits ^ ((bits >> 63) | Long.MIN_VALUE));
    }
    return keys;
  }

  /**
   * Sorts {@code keys} (unsigned) in place and returns the row index of each sorted key, equal keys
   * in row order: a stable LSD radix sort, four passes of 16 bits over primitive arrays, instead of
   * a comparison sort whose comparator reads the scores at random (several times slower on a
   * million rows, docs/bench/scoring.md).
   */
  private static int[] sortByKey(long[] keys) {
    int n = keys.length;
    long[] from = keys;
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = i;
    }
    long[] to = new long[n];
    int[] toRows = new int[n];
    for (int shift = 0; shift < Long.SIZE; shift += 16) {
      int[] start = new int[(1 << 16) + 1];
      for (long key : from) {
        start[(int) ((key >>> shift) & 0xFFFF) + 1]++;
      }
      for (int d = 0; d < 1 << 16; d++) {
        start[d + 1] += start[d];
      }
      for (int i = 0; i < n; i++) {
        int at = start[(int) ((from[i] >>> shift) & 0xFFFF)]++;
        to[at] = from[i];
        toRows[at] = rows[i];
      }
      long[] swapKeys = from;
      from = to;
      to = swapKeys;
      int[] swapRows = rows;
      rows = toRows;
      toRows = swapRows;
    }
    if (from != keys) { // an odd number of passes would leave them in the other array
      System.arraycopy(from, 0, keys, 0, n);
    }
    return rows;
  }

  /**
   * The smallest id (by {@link String#compareTo}) that appears more than once, or null. Sorts
   * (hash, row) pairs as primitive longs and compares strings only between rows of equal hash: a
   * hash set of a million ids cost more than the sort (docs/bench/scoring.md).
   */
  static String smallestDuplicate(String[] ids) {
    long[] byHash = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      byHash[i] = ((long) ids[i].hashCode() << 32) | i;
    }
    Arrays.sort(byHash);
    String smallest = null;
    for (int start = 0, end; start < byHash.length; start = end) {
      end = start + 1;
      while (end < byHash.length && (byHash[end] >> 32) == (byHash[start] >> 32)) {
        end++;
      }
      if (end - start > 1) {
        String twice = smallestDuplicate(ids, Arrays.copyOfRange(byHash, start, end));
        if (twice != null && (smallest == null || twice.compareTo(smallest) < 0)) {
          smallest = twice;
        }
      }
    }
    return smallest;
  }

  /** The smallest id appearing twice among rows of one hash (the low 32 bits of each entry). */
  private static String smallestDuplicate(String[] ids, long[] sameHash) {
    int[] byId =
        IndexSort.sorted(
            sameHash.length, (a, b) -> ids[(int) sameHash[a]].compareTo(ids[(int) sameHash[b]]));
    for (int i = 1; i < byId.length; i++) {
      String id = ids[(int) sameHash[byId[i]]];
      if (id.equals(ids[(int) sameHash[byId[i - 1]]])) {
        return id;
      }
    }
    return null;
  }

  static final class RankAndWriteFn extends DoFn<KV<String, Iterable<ScoredBatch>>, Void> {
    private final Output output;

    RankAndWriteFn(Output output) {
      this.output = output;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<ScoredBatch>> all) {
      List<ScoredBatch> batches = new ArrayList<>(); // a grouped Iterable may be one-pass
      all.getValue().forEach(batches::add);
      int n = batches.stream().mapToInt(ScoredBatch::size).sum();
      String[] ids = new String[n];
      double[] scores = new double[n];
      int at = 0;
      for (ScoredBatch batch : batches) {
        System.arraycopy(batch.ids(), 0, ids, at, batch.size());
        System.arraycopy(batch.scores(), 0, scores, at, batch.size());
        at += batch.size();
      }
      int[] ranked = rank(ids, scores, output.where());
      String tail = ScorePipeline.csvTail(output.modelId(), output.scoreDay());
      // The model id as UTF-8 bytes, once: as a String, protobuf measured its UTF-8 length again
      // for every record (with the entity id's, a third of the writing's samples in a profile,
      // docs/bench/scoring.md). The same bytes are written.
      Score.Builder score =
          Score.newBuilder()
              .setModelIdBytes(ByteString.copyFromUtf8(output.modelId()))
              .setScoreDay(output.scoreDay());
      StringBuilder lines = ScorePipeline.csvHeader();
      try (TfRecordFiles.Writer records = new TfRecordFiles.Writer(output.recordsFile());
          Writer csv = textFile(output.csvFile())) {
        for (int i = 0; i < ranked.length; i++) {
          String id = ids[ranked[i]];
          double value = scores[ranked[i]];
          records.write(score.setEntityId(id).setScore(value).setRank(i + 1).build().toByteArray());
          ScorePipeline.appendCsv(lines, id, value, i + 1, tail);
          if (lines.length() >= CSV_CHUNK) {
            csv.append(lines);
            lines.setLength(0);
          }
        }
        csv.append(lines);
      } catch (IOException e) {
        throw new RunFailedException("cannot write the scores: " + e.getMessage(), e);
      }
    }

    /** A UTF-8 text file written through a 1 MB buffer, never held whole in memory. */
    private static Writer textFile(String path) throws IOException {
      return new OutputStreamWriter(
          new BufferedOutputStream(
              Channels.newOutputStream(
                  FileSystems.create(FileSystems.matchNewResource(path, false), MimeTypes.TEXT)),
              1 << 20),
          StandardCharsets.UTF_8);
    }
  }
}
