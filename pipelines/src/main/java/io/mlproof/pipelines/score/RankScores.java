package io.mlproof.pipelines.score;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.evaluate.Ranking;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.proto.v1.Score;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
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
 * TFRecord file and one CSV. A rank is global, so the scores meet on one worker: a GroupByKey on a
 * single key, then one DoFn that sorts and writes (the files' names are fixed, so a retried bundle
 * rewrites the same files).
 */
final class RankScores extends PTransform<PCollection<Score>, PCollection<Void>> {
  private static final String ALL = "all";

  private final String recordsFile;
  private final String csvFile;
  private final String where;

  RankScores(String recordsFile, String csvFile, String where) {
    this.recordsFile = recordsFile;
    this.csvFile = csvFile;
    this.where = where;
  }

  @Override
  public PCollection<Void> expand(PCollection<Score> scores) {
    return scores
        .apply("OneKey", WithKeys.<String, Score>of(ALL).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), ProtoCoder.of(Score.class)))
        .apply("Gather", GroupByKey.create())
        .apply("RankAndWrite", ParDo.of(new RankAndWriteFn(recordsFile, csvFile, where)));
  }

  /** Ranks one day's scores in the order every ranking metric uses ({@link Ranking#descending}). */
  static List<Score> rank(List<Score> unranked, String where) {
    List<Score> byId = new ArrayList<>(unranked);
    byId.sort(Comparator.comparing(Score::getEntityId));
    for (int i = 1; i < byId.size(); i++) {
      if (byId.get(i).getEntityId().equals(byId.get(i - 1).getEntityId())) {
        throw new InvalidInputException(
            "entity "
                + byId.get(i).getEntityId()
                + " appears twice at the scoring day in "
                + where
                + ": the features must hold one row per entity");
      }
    }
    double[] values = byId.stream().mapToDouble(Score::getScore).toArray();
    int[] order = Ranking.descending(values);
    List<Score> ranked = new ArrayList<>(order.length);
    for (int i = 0; i < order.length; i++) {
      ranked.add(byId.get(order[i]).toBuilder().setRank(i + 1).build());
    }
    return ranked;
  }

  static final class RankAndWriteFn extends DoFn<KV<String, Iterable<Score>>, Void> {
    private final String recordsFile;
    private final String csvFile;
    private final String where;

    RankAndWriteFn(String recordsFile, String csvFile, String where) {
      this.recordsFile = recordsFile;
      this.csvFile = csvFile;
      this.where = where;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Score>> all) {
      List<Score> unranked = new ArrayList<>();
      all.getValue().forEach(unranked::add);
      List<Score> ranked = rank(unranked, where);
      try (TfRecordFiles.Writer writer = new TfRecordFiles.Writer(recordsFile)) {
        for (Score s : ranked) {
          writer.write(s.toByteArray());
        }
      } catch (IOException e) {
        throw new RunFailedException("cannot write the scores: " + e.getMessage(), e);
      }
      ModelArtifact.write(
          csvFile, ScorePipeline.csv(ranked).getBytes(StandardCharsets.UTF_8), MimeTypes.TEXT);
    }
  }
}
