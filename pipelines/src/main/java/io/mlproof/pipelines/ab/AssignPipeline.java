package io.mlproof.pipelines.ab;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.OptionsParser;
import io.mlproof.pipelines.core.ProtoRecords;
import io.mlproof.pipelines.core.Rebundle;
import io.mlproof.pipelines.core.StageRun;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.model.CsvFields;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.pipelines.score.ScorePipeline;
import io.mlproof.pipelines.sql.RenderedSql;
import io.mlproof.pipelines.sql.TemplateContext;
import io.mlproof.pipelines.warehouse.ResultRow;
import io.mlproof.pipelines.warehouse.ResultRowCoder;
import io.mlproof.pipelines.warehouse.SqlRowMapper;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.Assignment;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import io.mlproof.proto.v1.Score;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code mlproof run assign}: splits the eligible entities into arms by a salted hash, marks the
 * ones the blessed model flags (from the score task's ranking), and writes every assignment and the
 * target list (flagged entities in treatment arms) to the run directory and the warehouse. Flagged
 * entities in control are recorded too, so the analysis can compare like with like.
 *
 * <pre>
 * ReadEligible --+
 *                +-- CoGroupByKey -- AssignArms -- WriteAssignments (assignments-*.tfrecord)
 * ReadScores ----+
 * </pre>
 *
 * The driver then writes targets.csv and the warehouse tables from the staged records.
 */
public final class AssignPipeline implements MlproofPipeline {
  public static final String NAME = "assign";
  public static final String ASSIGNMENTS = "assignments";
  public static final String TARGETS_CSV = "targets.csv";
  private static final int REBUNDLE_GROUPS = 4;

  /** Manifest attributes the analyze stage reads: the plan it checks the split against. */
  public static final String EXPERIMENT_ATTRIBUTE = "experiment_id";

  public static final String ALLOCATION_ATTRIBUTE = "allocation";
  public static final String ASSIGNMENTS_TABLE_ATTRIBUTE = "assignments_table";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Split eligible entities into A/B arms by a salted hash and write the target list of the entities"
        + " the model flags in treatment.";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return AssignOptions.class;
  }

  @Override
  public void run(String[] args) {
    run(OptionsParser.parse(NAME, args, AssignOptions.class), System.out);
  }

  /** Who the model flags: score at least a threshold, or rank within the top N of the ranking. */
  record FlagRule(Double threshold, long topN) implements Serializable {
    boolean flags(Score score) {
      return threshold != null ? score.getScore() >= threshold : score.getRank() <= topN;
    }

    String describe() {
      return threshold != null ? "score >= " + threshold : "rank <= " + topN;
    }
  }

  public static Manifest run(AssignOptions options, PrintStream out) {
    FileSystems.setDefaultPipelineOptions(options);
    List<AbAnalyzer.Arm> arms = Allocation.parse(options.getAllocation());
    Bucketing bucketing = new Bucketing(options.getExperimentId(), options.getBuckets(), arms);
    FlagRule rule = flagRule(options);
    Warehouse warehouse = Warehouse.from(options);
    RenderedSql eligibility =
        warehouse.render(
            warehouse.template(options.getEligibility()), TemplateContext.from(options));
    warehouse.check(eligibility);
    AbTables tables =
        AbTables.check(warehouse, options.getAssignmentsTable(), options.getTargetsTable());
    String scores = TaskOutput.verifiedFilePattern(options.getScores(), ScorePipeline.SCORES);

    Pipeline pipeline = Pipeline.create(options);
    TaskOutput output = TaskOutput.begin(options.getOutput(), TaskOutput.Owner.of(NAME, options));
    StageRun.Finished finished;
    try {
      PCollection<KV<String, String>> eligible =
          pipeline
              .apply("ReadEligible", new ReadEligible(warehouse, eligibility))
              .apply(
                  "KeyEligible",
                  WithKeys.of((String id) -> id).withKeyType(TypeDescriptors.strings()));
      PCollection<KV<String, Score>> scored =
          pipeline
              .apply("ReadScores", ProtoRecords.read(scores, Score.class))
              .apply(
                  "KeyScores",
                  WithKeys.of(Score::getEntityId).withKeyType(TypeDescriptors.strings()));
      KeyedPCollectionTuple.of(ELIGIBLE, eligible)
          .and(SCORES_TAG, scored)
          .apply("AssignArms", new AssignArms(bucketing, options.getExperimentId(), rule))
          // The Direct runner hands each key after the join to the next steps in a bundle of its
          // own,
          // a file write being several steps: regroup first (core.Rebundle says why).
          .apply(
              "KeyByEntity",
              WithKeys.of(Assignment::getEntityId).withKeyType(TypeDescriptors.strings()))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), ProtoCoder.of(Assignment.class)))
          .apply("Rebundle", Rebundle.into(REBUNDLE_GROUPS))
          .apply("DropKeys", Values.create())
          .apply("WriteAssignments", ProtoRecords.<Assignment>write(output.staging(ASSIGNMENTS)));
      finished = StageRun.run(pipeline);
      List<Assignment> assignments = readStaged(output);
      if (assignments.isEmpty()) {
        throw new InvalidInputException(
            "the eligibility query "
                + eligibility.template()
                + " returned no entities:"
                + " nobody to assign (check the query and --logicalDate)");
      }
      ModelArtifact.write(
          output.staging(TARGETS_CSV),
          targetsCsv(assignments).getBytes(StandardCharsets.UTF_8),
          MimeTypes.TEXT);
      tables.replace(options.getExperimentId(), assignments, options);
      long targeted = assignments.stream().filter(Assignment::getTargeted).count();
      Manifest manifest =
          output.commit(
              Manifest.newBuilder()
                  .setPipeline(NAME)
                  .setTaskId(options.getTaskId())
                  .setDagId(options.getDagId())
                  .setLogicalDate(options.getLogicalDate())
                  .setQuerySha256(eligibility.sha256())
                  .setRecordType(Assignment.getDescriptor().getFullName())
                  .setRunner(options.getRunner().getSimpleName())
                  .addFiles(
                      OutputFile.newBuilder()
                          .setName(ASSIGNMENTS)
                          .setPath(ProtoRecords.shardGlob(ASSIGNMENTS))
                          .setRecords(assignments.size())
                          .setRecordType(Assignment.getDescriptor().getFullName()))
                  .addFiles(
                      OutputFile.newBuilder()
                          .setName("targets_csv")
                          .setPath(TARGETS_CSV)
                          .setRecords(targeted))
                  .putAllCounters(finished.counters())
                  .putAttributes(EXPERIMENT_ATTRIBUTE, options.getExperimentId())
                  .putAttributes(ALLOCATION_ATTRIBUTE, Allocation.format(arms))
                  .putAttributes("buckets", Integer.toString(options.getBuckets()))
                  .putAttributes("flag_rule", rule.describe())
                  .putAttributes("scores", options.getScores())
                  .putAttributes(ASSIGNMENTS_TABLE_ATTRIBUTE, options.getAssignmentsTable())
                  .putAttributes("targets_table", options.getTargetsTable())
                  .build());
      out.println(describe(options.getExperimentId(), manifest.getCountersMap(), arms, targeted));
      return manifest;
    } catch (RuntimeException e) {
      output.abort();
      throw e;
    }
  }

  static FlagRule flagRule(AssignOptions options) {
    if (options.getTargetThreshold() != null) {
      return new FlagRule(options.getTargetThreshold(), 0);
    }
    double fraction = options.getTargetTopFraction();
    if (!(fraction > 0 && fraction <= 1)) {
      throw new InvalidInputException("--targetTopFraction=" + fraction + " must be in (0, 1]");
    }
    Manifest scores = TaskOutput.read(options.getScores());
    long scored =
        scores.getFilesList().stream()
            .filter(f -> f.getName().equals(ScorePipeline.SCORES))
            .mapToLong(OutputFile::getRecords)
            .sum();
    return new FlagRule(null, (long) Math.ceil(fraction * scored));
  }

  private static List<Assignment> readStaged(TaskOutput output) {
    List<Assignment> assignments = new ArrayList<>();
    TfRecordFiles.read(
        output.staging(ASSIGNMENTS) + "*",
        (bytes, length, file) ->
            assignments.add(Assignment.parseFrom(java.nio.ByteBuffer.wrap(bytes, 0, length))));
    assignments.sort(Comparator.comparing(Assignment::getEntityId));
    return assignments;
  }

  /** The target list: treated flagged entities by rank. */
  static String targetsCsv(List<Assignment> assignments) {
    StringBuilder csv = new StringBuilder("experiment_id,entity_id,arm,score,rank\n");
    assignments.stream()
        .filter(Assignment::getTargeted)
        .sorted(Comparator.comparingLong(Assignment::getRank))
        .forEach(
            a ->
                csv.append(CsvFields.field(a.getExperimentId()))
                    .append(',')
                    .append(CsvFields.field(a.getEntityId()))
                    .append(',')
                    .append(a.getArm())
                    .append(',')
                    .append(a.getScore())
                    .append(',')
                    .append(a.getRank())
                    .append('\n'));
    return csv.toString();
  }

  private static String describe(
      String experiment, Map<String, Long> counters, List<AbAnalyzer.Arm> arms, long targeted) {
    List<String> parts = new ArrayList<>();
    for (AbAnalyzer.Arm arm : arms) {
      parts.add(
          String.format(
              Locale.ROOT,
              "%s %,d (%,d flagged)",
              arm.name(),
              counters.getOrDefault("assigned_" + arm.name(), 0L),
              counters.getOrDefault("flagged_" + arm.name(), 0L)));
    }
    return "experiment "
        + experiment
        + ": "
        + String.join(", ", parts)
        + "; "
        + targeted
        + " entities on the target list";
  }

  /**
   * The eligibility query's entity ids; a NULL id is counted and skipped (it cannot be assigned).
   */
  static final class ReadEligible extends PTransform<PBegin, PCollection<String>> {
    private static final long serialVersionUID = 1L;
    private final transient Warehouse warehouse;
    private final transient RenderedSql sql;

    ReadEligible(Warehouse warehouse, RenderedSql sql) {
      this.warehouse = warehouse;
      this.sql = sql;
    }

    @Override
    public PCollection<String> expand(PBegin begin) {
      return begin
          .apply("Query", warehouse.read(sql, SqlRowMapper.copy(), ResultRowCoder.of()))
          .apply(
              "EntityIds",
              ParDo.of(
                  new DoFn<ResultRow, String>() {
                    private final Counter nullIds =
                        Metrics.counter(AssignPipeline.class, "eligible_null_id");

                    @ProcessElement
                    public void process(@Element ResultRow row, OutputReceiver<String> out) {
                      Object id = row.get("entity_id");
                      if (id == null) {
                        nullIds.inc();
                      } else {
                        out.output(id.toString());
                      }
                    }
                  }));
    }
  }

  static final TupleTag<String> ELIGIBLE = new TupleTag<>() {};
  static final TupleTag<Score> SCORES_TAG = new TupleTag<>() {};

  /**
   * Joins eligible ids ({@link #ELIGIBLE}) with scores ({@link #SCORES_TAG}); assigns each eligible
   * entity once.
   */
  static final class AssignArms
      extends PTransform<KeyedPCollectionTuple<String>, PCollection<Assignment>> {
    private static final long serialVersionUID = 1L;
    private final Bucketing bucketing;
    private final String experimentId;
    private final FlagRule rule;

    AssignArms(Bucketing bucketing, String experimentId, FlagRule rule) {
      this.bucketing = bucketing;
      this.experimentId = experimentId;
      this.rule = rule;
    }

    @Override
    public PCollection<Assignment> expand(KeyedPCollectionTuple<String> input) {
      return input
          .apply("JoinScores", CoGroupByKey.create())
          .apply(
              "Assign", ParDo.of(new AssignFn(ELIGIBLE, SCORES_TAG, bucketing, experimentId, rule)))
          .setCoder(ProtoCoder.of(Assignment.class));
    }
  }

  static final class AssignFn extends DoFn<KV<String, CoGbkResult>, Assignment> {
    private static final long serialVersionUID = 1L;
    private final TupleTag<String> eligibleTag;
    private final TupleTag<Score> scoreTag;
    private final Bucketing bucketing;
    private final String experimentId;
    private final FlagRule rule;
    private final Counter scoredNotEligible =
        Metrics.counter(AssignPipeline.class, "scored_not_eligible");
    private final Counter duplicateEligible =
        Metrics.counter(AssignPipeline.class, "eligible_duplicate_id");
    private final Counter duplicateScores =
        Metrics.counter(AssignPipeline.class, "duplicate_scores");
    private final Counter targeted = Metrics.counter(AssignPipeline.class, "targeted");

    AssignFn(
        TupleTag<String> eligibleTag,
        TupleTag<Score> scoreTag,
        Bucketing bucketing,
        String experimentId,
        FlagRule rule) {
      this.eligibleTag = eligibleTag;
      this.scoreTag = scoreTag;
      this.bucketing = bucketing;
      this.experimentId = experimentId;
      this.rule = rule;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> joined, OutputReceiver<Assignment> out) {
      long copies = 0;
      for (String ignored : joined.getValue().getAll(eligibleTag)) {
        copies++;
      }
      List<Score> scores = new ArrayList<>();
      joined.getValue().getAll(scoreTag).forEach(scores::add);
      if (copies == 0) {
        scoredNotEligible.inc();
        return;
      }
      duplicateEligible.inc(copies - 1);
      if (scores.size() > 1) {
        // Score output holds one row per entity; more means a corrupt input, never a silent pick.
        duplicateScores.inc();
        throw new InvalidInputException(
            "entity "
                + joined.getKey()
                + " has "
                + scores.size()
                + " scores: point --scores at one score task's output");
      }
      String id = joined.getKey();
      int bucket = bucketing.bucket(id);
      String arm = bucketing.arm(bucket);
      Assignment.Builder a =
          Assignment.newBuilder()
              .setExperimentId(experimentId)
              .setEntityId(id)
              .setArm(arm)
              .setBucket(bucket)
              .setScore(Double.NaN);
      if (!scores.isEmpty()) {
        Score s = scores.get(0);
        a.setScore(s.getScore()).setRank(s.getRank()).setFlagged(rule.flags(s));
      }
      a.setTargeted(a.getFlagged() && !bucketing.isControl(arm));
      Metrics.counter(AssignPipeline.class, "assigned_" + arm).inc();
      if (a.getFlagged()) {
        Metrics.counter(AssignPipeline.class, "flagged_" + arm).inc();
      }
      if (a.getTargeted()) {
        targeted.inc();
      }
      out.output(a.build());
    }
  }
}
