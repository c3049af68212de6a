package io.mlproof.orchestrator.report;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.state.DagRunRecord;
import io.mlproof.orchestrator.state.DagRunState;
import io.mlproof.orchestrator.state.RunType;
import io.mlproof.orchestrator.state.TaskInstance;
import io.mlproof.orchestrator.state.TaskState;
import io.mlproof.orchestrator.testing.Harness;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.proto.v1.Anomaly;
import io.mlproof.proto.v1.Blessing;
import io.mlproof.proto.v1.CalibrationBin;
import io.mlproof.proto.v1.ClassificationMetrics;
import io.mlproof.proto.v1.ConfusionMatrix;
import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.EvaluationResult;
import io.mlproof.proto.v1.FeatureImportance;
import io.mlproof.proto.v1.FeatureStatistics;
import io.mlproof.proto.v1.LiftPoint;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OperatingPoint;
import io.mlproof.proto.v1.ValidationReport;
import io.mlproof.proto.v1.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/**
 * A hand-made DAG run with every kind of output the report reads and every kind of bad news: a
 * validation warning, an unblessed model, an A/B test with a sample ratio mismatch, a failed task.
 * The numbers are small so that every figure can be worked out by hand.
 */
final class ReportFixture {
  static final String DS = "2024-01-08";
  static final LocalDate DATE = LocalDate.parse(DS);

  private ReportFixture() {}

  static Dag dag(Harness h) {
    return h.dag(
        "fixture",
        """
        dag_id: fixture
        schedule: "0 0 * * 1"
        tasks:
          - id: features
            kind: empty
          - id: validate
            kind: empty
            depends_on: [features]
          - id: train
            kind: empty
            depends_on: [features, validate]
          - id: bless
            kind: empty
            depends_on: [train]
          - id: backtest
            kind: empty
            depends_on: [features]
          - id: analyze
            kind: empty
          - id: score
            kind: empty
            depends_on: [bless]
          - id: report
            kind: report
            depends_on: [score, backtest, analyze]
            trigger_rule: all_done
        """);
  }

  /** Writes every output and the run's state; returns the DAG. */
  static Dag write(Harness h) {
    Dag dag = dag(h);
    Instant t0 = Instant.parse("2024-01-08T10:00:00Z");
    success(h, "features", "features", t0, 12_500, "statistics.json", json(statistics()));
    success(
        h,
        "validate",
        "validate",
        t0.plusSeconds(20),
        3_000,
        "validation_report.json",
        json(validation()));
    success(h, "train", "train", t0.plusSeconds(30), 41_000, "evaluation.json", json(evaluation()));
    write(
        h,
        "train",
        "predictions.csv",
        """
        entity_id,cutoff_day,label,score
        a,19730,1,0.9
        b,19730,0,0.8
        "c,1",19730,1,0.8
        d,19730,0,0.3
        e,19730,1,0.1
        """);
    success(h, "bless", "bless", t0.plusSeconds(80), 2_000, "blessing.json", json(blessing()));
    success(h, "backtest", "backtest", t0.plusSeconds(30), 60_000, "backtest.json", BACKTEST);
    success(h, "analyze", "analyze", t0, 5_000, "analysis.json", ANALYSIS);
    TaskInstance score =
        TaskInstance.fresh("fixture", DATE, "score", 2, out(h, "score").toString())
            .started(t0.plusSeconds(90), "score.log")
            .finished(
                TaskState.FAILED, t0.plusSeconds(95), Optional.of("model m1 was not blessed"));
    h.store.save(score);
    h.store.saveDagRun(
        new DagRunRecord(
            "fixture",
            DATE,
            DagRunState.FAILED,
            RunType.MANUAL,
            "{}",
            Optional.of(t0),
            Optional.of(t0.plusSeconds(100)),
            Optional.empty()));
    return dag;
  }

  static Path out(Harness h, String task) {
    return Path.of(h.settings.runRoot(), "fixture", DS, task);
  }

  private static void success(
      Harness h,
      String task,
      String pipeline,
      Instant start,
      long millis,
      String file,
      String content) {
    write(h, task, file, content);
    Manifest manifest =
        Manifest.newBuilder()
            .setPipeline(pipeline)
            .setTaskId(task)
            .setDagId("fixture")
            .setLogicalDate(DS)
            .setRunner(pipeline.equals("report") ? "scheduler" : "DirectRunner")
            .setQuerySha256(pipeline.equals("features") ? "ab12cd" : "")
            .putAttributes("model_id", pipeline.equals("train") ? "m1" : "")
            .build();
    write(h, task, TaskOutput.MANIFEST, TaskOutput.toJson(manifest));
    h.store.save(
        TaskInstance.fresh("fixture", DATE, task, 2, out(h, task).toString())
            .started(start, task + ".log")
            .finished(TaskState.SUCCESS, start.plusMillis(millis), Optional.empty()));
  }

  static void write(Harness h, String task, String file, String content) {
    try {
      Files.createDirectories(out(h, task));
      Files.writeString(out(h, task).resolve(file), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String json(Message m) {
    try {
      return JsonFormat.printer().print(m);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * 10 labelled examples at 2024-01-01 (epoch day 19723), 4 positive; one feature, 2 of 10 missing.
   */
  static DatasetStatistics statistics() {
    FeatureStatistics.Builder f =
        FeatureStatistics.newBuilder()
            .setFeature("days_since_last_purchase")
            .setCount(8)
            .setMissing(2)
            .setMin(0)
            .setMax(10)
            .setMean(4)
            .setStddev(3);
    for (int q = 0; q <= 10; q++) {
      f.addQuantiles(q);
    }
    return DatasetStatistics.newBuilder()
        .setExamples(10)
        .setLabeledExamples(10)
        .setPositives(4)
        .setLabelRate(0.4)
        .addCutoffDays(19723)
        .addFeatures(f)
        .build();
  }

  static ValidationReport validation() {
    return ValidationReport.newBuilder()
        .setPassed(true)
        .addAnomalies(
            Anomaly.newBuilder()
                .setKind("DRIFT")
                .setFeature("days_since_last_purchase")
                .setMessage(
                    "days_since_last_purchase drifted by 0.31 (limit 0.25) since the previous run"))
        .addNotes("no baseline statistics for revenue_90d: drift not checked")
        .build();
  }

  /**
   * 100 held-out rows, 10 positive. Model: TP 8, FP 2, FN 2, TN 88 (F1 0.8). Tuned heuristic: TP 7,
   * FP 3, FN 3, TN 87 (F1 0.7). Status quo targets nobody (F1 0).
   */
  static EvaluationResult evaluation() {
    ClassificationMetrics model =
        metrics("model", 8, 2, 2, 88, 0.8, 0.8, 0.8).toBuilder()
            .setRocAuc(0.9)
            .setPrAuc(0.7)
            .addCalibration(
                CalibrationBin.newBuilder()
                    .setDecile(1)
                    .setMeanPredicted(0.05)
                    .setObservedRate(0.02)
                    .setCount(50))
            .addCalibration(
                CalibrationBin.newBuilder()
                    .setDecile(2)
                    .setMeanPredicted(0.3)
                    .setObservedRate(0.18)
                    .setCount(50))
            .addLift(LiftPoint.newBuilder().setTopFraction(0.05).setGain(0.4).setLift(8))
            .addLift(LiftPoint.newBuilder().setTopFraction(0.10).setGain(0.8).setLift(8))
            .build();
    return EvaluationResult.newBuilder()
        .setModel(model)
        .addBaselines(metrics("status_quo", 0, 0, 10, 90, 0, 0, 0))
        .addBaselines(metrics("random", 1, 9, 9, 81, 0.1, 0.1, 0.1))
        .addBaselines(metrics("heuristic:days_since_last_purchase>9", 7, 3, 3, 87, 0.7, 0.7, 0.7))
        .addImportance(FeatureImportance.newBuilder().setFeature("revenue_90d").setGain(1.0))
        .addImportance(
            FeatureImportance.newBuilder().setFeature("days_since_last_purchase").setGain(3.0))
        .setExamples(100)
        .setPositives(10)
        .setVerdict(
            Verdict.newBuilder()
                .setBlessed(true)
                .setBestBaseline("heuristic:days_since_last_purchase>9")
                .setModelF1(0.8)
                .setBestBaselineF1(0.7)
                .setRequiredMargin(0.02)
                .setSummary(
                    "The model beats the best baseline, heuristic:days_since_last_purchase>9, by 0.100 F1."))
        .build();
  }

  private static ClassificationMetrics metrics(
      String name, long tp, long fp, long fn, long tn, double precision, double recall, double f1) {
    return ClassificationMetrics.newBuilder()
        .setName(name)
        .setOperatingPoint(
            OperatingPoint.newBuilder()
                .setRule(OperatingPoint.Rule.BEST_F1)
                .setThreshold(0.5)
                .setTargetedFraction((tp + fp) / 100.0))
        .setConfusion(
            ConfusionMatrix.newBuilder()
                .setTruePositives(tp)
                .setFalsePositives(fp)
                .setFalseNegatives(fn)
                .setTrueNegatives(tn))
        .setPrecision(precision)
        .setRecall(recall)
        .setF1(f1)
        .setRocAuc(0.5)
        .setPrAuc(0.1)
        .build();
  }

  static Blessing blessing() {
    return Blessing.newBuilder()
        .setModelId("m1")
        .setBlessed(false)
        .setSummary("Model m1 is not blessed: its lead is within noise.")
        .addReasons(
            "the 95% lower bound of the lead over heuristic:days_since_last_purchase>9 is -0.010 F1,"
                + " below the margin 0.020")
        .build();
  }

  static final String BACKTEST =
      """
      {"horizonDays": 28,
       "campaign": {"capacity": "top 10%", "saveRate": 0.25},
       "folds": [
         {"cutoff": "2023-12-04", "complete": true, "strategies": [
            {"name": "model", "netValue": 120.0}, {"name": "heuristic", "netValue": 60.0},
            {"name": "oracle", "netValue": 300.0}]},
         {"cutoff": "2023-12-11", "complete": false, "incompleteReason": "label window not over"}],
       "aggregate": {"completeFolds": 1, "strategies": [
         {"name": "model", "contacted": 100, "churnersReached": 40, "expectedRetained": 10, "netValue": 120.0,
          "netValueCi95": {"low": 20.0, "high": 210.0}, "roi": 0.5, "breakEvenSaveRate": 0.125,
          "saveRateGrid": [{"saveRate": 0.1, "netValue": -24.0}, {"saveRate": 0.25, "netValue": 120.0}]},
         {"name": "heuristic", "contacted": 100, "churnersReached": 30, "netValue": 60.0,
          "saveRateGrid": [{"saveRate": 0.1, "netValue": -48.0}, {"saveRate": 0.25, "netValue": 60.0}]}]},
       "caveat": "The save rate is assumed: the history does not contain the campaign's effect."}
      """;

  static final String ANALYSIS =
      """
      {"experimentId": "exp1", "alpha": 0.05,
       "arms": [{"arm": "control", "entities": 1000, "churners": 200, "churnRate": 0.2, "plannedShare": 0.5},
                {"arm": "treatment", "entities": 1200, "churners": 180, "churnRate": 0.15, "plannedShare": 0.5}],
       "comparisons": [{"control": "control", "treatment": "treatment", "difference": -0.05,
          "differenceCi95Low": -0.082, "differenceCi95High": -0.018, "relativeLift": -0.25, "pValue": 0.002,
          "pValueHolm": 0.002, "achievedPower": 0.86, "mde": 0.035}],
       "srm": {"chiSquare": 18.18, "degreesOfFreedom": 1, "pValue": 2.0e-5, "threshold": 0.001, "flagged": true},
       "saveRate": {"estimate": 0.3, "ci95Low": 0.1, "ci95High": 0.5,
          "definition": "1 - churn of flagged treated / churn of flagged control"},
       "verdict": "treatment lowered churn by 5.0 points; roll out"}
      """;
}
