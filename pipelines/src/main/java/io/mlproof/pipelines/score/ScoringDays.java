package io.mlproof.pipelines.score;

import com.google.protobuf.InvalidProtocolBufferException;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.features.FeaturesPipeline;
import io.mlproof.pipelines.model.ExampleDecoder;
import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.Manifest;
import java.time.LocalDate;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which cutoff days a features output holds, and so which day a score run scores: the logical
 * date's, which must be among them, else the newest. Decided in the driver before the pipeline, so
 * the pipeline reads the examples once. The days come from the output's statistics, which the
 * features stage computes over the same examples (the {@code cutoff_days} of its {@code
 * statistics.pb}, checked against the manifest's SHA-256); an output without them (written by
 * something else) has its records scanned for their days only where the answer is needed: to find
 * the newest day, or to name the days in the error when the logical date has no examples.
 */
final class ScoringDays {

  private ScoringDays() {}

  /** The days the output's statistics recorded, if it has statistics listing them. */
  static Optional<SortedSet<Integer>> recorded(String featuresDir, Manifest manifest) {
    if (manifest.getFilesList().stream()
        .noneMatch(f -> f.getName().equals(FeaturesPipeline.STATISTICS))) {
      return Optional.empty();
    }
    DatasetStatistics stats;
    try {
      stats =
          DatasetStatistics.parseFrom(
              TaskOutput.readVerified(featuresDir, FeaturesPipeline.STATISTICS));
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidInputException(
          "the statistics of "
              + featuresDir
              + " are corrupt: "
              + e.getMessage()
              + " (re-run the features task)");
    }
    return stats.getCutoffDaysCount() == 0
        ? Optional.empty()
        : Optional.of(new TreeSet<>(stats.getCutoffDaysList()));
  }

  /** The days of the examples in the records matching {@code pattern}, read one by one. */
  static SortedSet<Integer> scan(String pattern) {
    SortedSet<Integer> days = new TreeSet<>();
    ExampleDecoder decoder = new ExampleDecoder(0); // no feature is copied
    double[] none = new double[0];
    TfRecordFiles.read(
        pattern,
        (bytes, length, file) -> {
          decoder.decode(bytes, length, none, 0);
          days.add(decoder.cutoffDay());
        });
    return days;
  }

  /**
   * The day to score: {@code logicalDay}, which must be among {@code days}, or when it is null the
   * newest of {@code days}.
   */
  static int choose(Integer logicalDay, SortedSet<Integer> days, String where) {
    if (days.isEmpty()) {
      throw noExamples(where);
    }
    if (logicalDay == null) {
      return days.last();
    }
    if (!days.contains(logicalDay)) {
      throw missing(where, logicalDay, days);
    }
    return logicalDay;
  }

  static InvalidInputException noExamples(String where) {
    return new InvalidInputException(
        "the features output " + where + " holds no examples to score");
  }

  static InvalidInputException missing(String where, int day, SortedSet<Integer> days) {
    return new InvalidInputException(
        "the features output "
            + where
            + " has no examples at "
            + LocalDate.ofEpochDay(day)
            + " (it has "
            + days.stream().map(d -> LocalDate.ofEpochDay(d).toString()).toList()
            + "): run the features task for the scoring date");
  }
}
