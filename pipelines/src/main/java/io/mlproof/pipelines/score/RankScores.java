package io.mlproof.pipelines.score;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.evaluate.IndexSort;
import io.mlproof.pipelines.evaluate.Ranking;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.proto.v1.Score;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
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
   * ranking metric uses ({@link Ranking#descending} over the rows sorted by id). An id that appears
   * twice is an error naming it.
   */
  static int[] rank(String[] ids, double[] scores, String where) {
    int[] byId = IndexSort.sorted(ids.length, (a, b) -> ids[a].compareTo(ids[b]));
    for (int i = 1; i < byId.length; i++) {
      if (ids[byId[i]].equals(ids[byId[i - 1]])) {
        throw new InvalidInputException(
            "entity "
                + ids[byId[i]]
                + " appears twice at the scoring day in "
                + where
                + ": the features must hold one row per entity");
      }
    }
    double[] values = new double[byId.length];
    for (int i = 0; i < byId.length; i++) {
      values[i] = scores[byId[i]];
    }
    int[] order = Ranking.descending(values);
    int[] ranked = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      ranked[i] = byId[order[i]];
    }
    return ranked;
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
      StringBuilder csv = ScorePipeline.csvHeader();
      try (TfRecordFiles.Writer writer = new TfRecordFiles.Writer(output.recordsFile())) {
        for (int i = 0; i < ranked.length; i++) {
          Score score =
              Score.newBuilder()
                  .setEntityId(ids[ranked[i]])
                  .setScore(scores[ranked[i]])
                  .setRank(i + 1)
                  .setModelId(output.modelId())
                  .setScoreDay(output.scoreDay())
                  .build();
          writer.write(score.toByteArray());
          ScorePipeline.appendCsv(csv, score);
        }
      } catch (IOException e) {
        throw new RunFailedException("cannot write the scores: " + e.getMessage(), e);
      }
      ModelArtifact.write(
          output.csvFile(), csv.toString().getBytes(StandardCharsets.UTF_8), MimeTypes.TEXT);
    }
  }
}
