package io.mlproof.pipelines.ab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlproof.pipelines.core.FileBytes;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.MlproofPipeline;
import io.mlproof.pipelines.core.OptionsParser;
import io.mlproof.pipelines.core.ProtoRecords;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.StageRun;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.pipelines.sql.RenderedSql;
import io.mlproof.pipelines.sql.TemplateContext;
import io.mlproof.pipelines.warehouse.ResultRow;
import io.mlproof.pipelines.warehouse.ResultRowCoder;
import io.mlproof.pipelines.warehouse.SqlRowMapper;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.AbAnalysis;
import io.mlproof.proto.v1.Assignment;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code mlproof run analyze}: joins the assign task's assignments with the outcomes in the
 * warehouse, folds them per (arm, flagged) into {@link Moments} with {@code Combine.perKey}, and
 * hands the handful of results to {@link AbAnalyzer}: analysis.json (the shared contract, with
 * {@code saveRate}), analysis.pb (the AbAnalysis proto), moments.tsv (the sufficient statistics,
 * for audit) and the verdict on stdout.
 *
 * <pre>
 * ReadAssignments --+
 *                   +-- JoinInGroups -- SumPerArm (Combine.perKey) -- WriteMoments
 * ReadOutcomes -----+
 * </pre>
 *
 * <p>The join is a grouped hash join: both sides are keyed by a fixed hash group of the entity id
 * ({@value #JOIN_GROUPS} groups), co-grouped, and each group joined in memory by entity id, summed
 * into {@link Moments} per (arm, flagged) at once. Keyed by entity, the Direct runner ran the join
 * step once per entity in a bundle of its own (core.Rebundle says why); by group it runs it {@value
 * #JOIN_GROUPS} times (docs/BENCHMARKS.md, "A/B analysis").
 */
public final class AnalyzePipeline implements MlproofPipeline {
  public static final String NAME = "analyze";
  public static final String ANALYSIS_JSON = "analysis.json";
  public static final String ANALYSIS_PROTO = "analysis.pb";
  public static final String MOMENTS = "moments";

  /**
   * Hash groups of the join: each holds about 1/JOIN_GROUPS of the entities in one worker's memory.
   */
  static final int JOIN_GROUPS = 64;

  static final TupleTag<KV<String, Assignment>> ASSIGNED = new TupleTag<>() {};
  static final TupleTag<KV<String, Outcome>> OUTCOME = new TupleTag<>() {};

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Analyse an A/B experiment: per-arm churn, z-test, intervals, SRM, Holm, CUPED, save rate and a verdict.";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return AnalyzeOptions.class;
  }

  @Override
  public void run(String[] args) {
    run(OptionsParser.parse(NAME, args, AnalyzeOptions.class), System.out);
  }

  /** One entity's outcome row: churned (0/1) and the covariate (0 without CUPED). */
  record Outcome(double churned, double covariate) implements Serializable {}

  /** The committed analysis. */
  public record Result(AbAnalysis analysis, Manifest manifest) {}

  public static Result run(AnalyzeOptions options, PrintStream out) {
    FileSystems.setDefaultPipelineOptions(options);
    Manifest assign = TaskOutput.read(options.getAssignments());
    String experimentId = assign.getAttributesOrDefault(AssignPipeline.EXPERIMENT_ATTRIBUTE, "");
    if (!assign.getPipeline().equals(AssignPipeline.NAME) || experimentId.isEmpty()) {
      throw new InvalidInputException(
          "--assignments="
              + options.getAssignments()
              + " is not an assign task's output"
              + " (its manifest says pipeline '"
              + assign.getPipeline()
              + "'): point it at the assign task");
    }
    List<AbAnalyzer.Arm> arms =
        Allocation.parse(assign.getAttributesOrThrow(AssignPipeline.ALLOCATION_ATTRIBUTE));
    AbAnalyzer.Settings settings =
        new AbAnalyzer.Settings(
            experimentId, arms, options.getAlpha(), options.getPower(), options.getCovariate());
    options.setParams(withExperimentId(options.getParams(), experimentId));
    Warehouse warehouse = Warehouse.from(options);
    RenderedSql outcomes =
        warehouse.render(warehouse.template(options.getOutcomes()), TemplateContext.from(options));
    warehouse.check(outcomes);

    Pipeline pipeline = Pipeline.create(options);
    TaskOutput output = TaskOutput.begin(options.getOutput(), TaskOutput.Owner.of(NAME, options));
    try {
      PCollection<KV<String, Assignment>> assigned =
          pipeline
              .apply(
                  "ReadAssignments",
                  ProtoRecords.read(
                      TaskOutput.verifiedFilePattern(
                          options.getAssignments(), AssignPipeline.ASSIGNMENTS),
                      Assignment.class))
              .apply(
                  "KeyAssignments",
                  WithKeys.of(Assignment::getEntityId).withKeyType(TypeDescriptors.strings()))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), ProtoCoder.of(Assignment.class)));
      PCollection<KV<String, Outcome>> outcome =
          pipeline
              .apply(
                  "ReadOutcomes",
                  warehouse.read(outcomes, SqlRowMapper.copy(), ResultRowCoder.of()))
              .apply("ParseOutcomes", ParDo.of(new ParseOutcomeFn(options.getCovariate())))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Outcome.class)));
      KeyedPCollectionTuple.of(ASSIGNED, assigned.apply("GroupAssignments", new ByJoinGroup<>()))
          .and(OUTCOME, outcome.apply("GroupOutcomes", new ByJoinGroup<>()))
          .apply("SumPerArm", new SumPerArm())
          .apply(
              "FormatMoments",
              MapElements.into(TypeDescriptors.strings()).via(AnalyzePipeline::line))
          .apply("WriteMoments", TextIO.write().to(output.staging(MOMENTS)).withSuffix(".tsv"));
      StageRun.Finished finished = StageRun.run(pipeline);
      Map<String, Long> counters = finished.counters();
      long matched = counters.getOrDefault("entities_with_outcome", 0L);
      long missing = counters.getOrDefault("assigned_without_outcome", 0L);
      if (matched + missing > 0
          && (double) missing / (matched + missing) > options.getMaxMissingFraction()) {
        throw new RunFailedException(
            missing
                + " of "
                + (matched + missing)
                + " assigned entities have no outcome row,"
                + " above --maxMissingFraction="
                + options.getMaxMissingFraction()
                + ": the outcome data is incomplete"
                + " (wait for it, or fix the outcomes query)");
      }
      Map<String, Moments> all = new TreeMap<>();
      Map<String, Moments> flagged = new TreeMap<>();
      readMoments(output, all, flagged);
      AbAnalysis analysis = AbAnalyzer.analyze(settings, all, flagged);
      ModelArtifact.write(
          output.staging(ANALYSIS_JSON),
          AbReport.json(analysis).getBytes(StandardCharsets.UTF_8),
          MimeTypes.TEXT);
      ModelArtifact.write(output.staging(ANALYSIS_PROTO), analysis.toByteArray(), MimeTypes.BINARY);
      Manifest manifest =
          output.commit(
              Manifest.newBuilder()
                  .setPipeline(NAME)
                  .setTaskId(options.getTaskId())
                  .setDagId(options.getDagId())
                  .setLogicalDate(options.getLogicalDate())
                  .setQuerySha256(outcomes.sha256())
                  .setRecordType(AbAnalysis.getDescriptor().getFullName())
                  .setRunner(options.getRunner().getSimpleName())
                  .addFiles(
                      OutputFile.newBuilder()
                          .setName("analysis_json")
                          .setPath(ANALYSIS_JSON)
                          .setRecords(1))
                  .addFiles(
                      OutputFile.newBuilder()
                          .setName("analysis")
                          .setPath(ANALYSIS_PROTO)
                          .setRecords(1)
                          .setRecordType(AbAnalysis.getDescriptor().getFullName()))
                  .addFiles(
                      OutputFile.newBuilder()
                          .setName(MOMENTS)
                          .setPath(MOMENTS + "-*.tsv")
                          .setRecords(all.size() + flagged.size()))
                  .putAllCounters(counters)
                  .putAttributes(AssignPipeline.EXPERIMENT_ATTRIBUTE, experimentId)
                  .putAttributes(AssignPipeline.ALLOCATION_ATTRIBUTE, Allocation.format(arms))
                  .putAttributes("assignments", options.getAssignments())
                  .putAttributes("srm_flagged", Boolean.toString(analysis.getSrm().getFlagged()))
                  .putAttributes("verdict", analysis.getVerdict())
                  .build());
      out.print(AbReport.text(analysis));
      return new Result(analysis, manifest);
    } catch (RuntimeException e) {
      output.abort();
      throw e;
    }
  }

  /** The params JSON with experiment_id set (from the assign task) unless the user set it. */
  static String withExperimentId(String params, String experimentId) {
    try {
      ObjectMapper json = new ObjectMapper();
      ObjectNode node =
          (ObjectNode) json.readTree(params == null || params.isBlank() ? "{}" : params);
      if (!node.has("experiment_id")) {
        node.put("experiment_id", experimentId);
      }
      return json.writeValueAsString(node);
    } catch (IOException | ClassCastException e) {
      throw new InvalidInputException(
          "--params=" + params + " is not a JSON object: write e.g. {\"x\": 1}");
    }
  }

  /** Keys each entity's element by its join group, the entity id kept beside the value. */
  static final class ByJoinGroup<V>
      extends PTransform<PCollection<KV<String, V>>, PCollection<KV<Integer, KV<String, V>>>> {
    private static final long serialVersionUID = 1L;

    @Override
    public PCollection<KV<Integer, KV<String, V>>> expand(PCollection<KV<String, V>> input) {
      return input
          .apply(
              "KeyByJoinGroup",
              WithKeys.<Integer, KV<String, V>>of(kv -> joinGroup(kv.getKey()))
                  .withKeyType(TypeDescriptors.integers()))
          .setCoder(KvCoder.of(VarIntCoder.of(), input.getCoder()));
    }
  }

  /**
   * The join group of an entity id: the same on every run and runner (String.hashCode is
   * specified).
   */
  static int joinGroup(String entityId) {
    return Math.floorMod(entityId.hashCode(), JOIN_GROUPS);
  }

  /** Joins assignments with outcomes group by group and sums {@link Moments} per "arm\tflagged". */
  static final class SumPerArm
      extends PTransform<KeyedPCollectionTuple<Integer>, PCollection<KV<String, Moments>>> {
    private static final long serialVersionUID = 1L;

    @Override
    public PCollection<KV<String, Moments>> expand(KeyedPCollectionTuple<Integer> input) {
      return input
          .apply("JoinInGroups", CoGroupByKey.create())
          .apply("ToArmMoments", ParDo.of(new JoinGroupFn()))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Moments.class)))
          .apply("Combine", Combine.perKey(new SumMomentsFn()));
    }
  }

  static final class SumMomentsFn extends Combine.BinaryCombineFn<Moments> {
    private static final long serialVersionUID = 1L;

    @Override
    public Moments apply(Moments left, Moments right) {
      return left.merge(right);
    }

    @Override
    public Moments identity() {
      return Moments.EMPTY;
    }
  }

  /**
   * One join group: its assignments by entity id, then each outcome matched to its assignment and
   * summed into {@link Moments} per "arm\tflagged"; entities on one side only are counted.
   */
  static final class JoinGroupFn extends DoFn<KV<Integer, CoGbkResult>, KV<String, Moments>> {
    private static final long serialVersionUID = 1L;
    private final Counter matched = Metrics.counter(AnalyzePipeline.class, "entities_with_outcome");
    private final Counter missing =
        Metrics.counter(AnalyzePipeline.class, "assigned_without_outcome");
    private final Counter unassigned =
        Metrics.counter(AnalyzePipeline.class, "outcome_without_assignment");

    @ProcessElement
    public void process(
        @Element KV<Integer, CoGbkResult> group, OutputReceiver<KV<String, Moments>> out) {
      Map<String, Assignment> assignments = new HashMap<>();
      for (KV<String, Assignment> a : group.getValue().getAll(ASSIGNED)) {
        if (assignments.put(a.getKey(), a.getValue()) != null) {
          throw new InvalidInputException(
              "entity "
                  + a.getKey()
                  + " is assigned twice: point --assignments at one"
                  + " assign task's output");
        }
      }
      Set<String> seen = new HashSet<>();
      Map<String, Moments> sums = new TreeMap<>();
      for (KV<String, Outcome> o : group.getValue().getAll(OUTCOME)) {
        Assignment assignment = assignments.get(o.getKey());
        if (assignment == null) {
          unassigned.inc();
        } else if (!seen.add(o.getKey())) {
          throw new InvalidInputException(
              "entity "
                  + o.getKey()
                  + " has more than one outcome row: the outcomes"
                  + " query must return one row per entity");
        } else {
          matched.inc();
          sums.merge(
              assignment.getArm() + "\t" + assignment.getFlagged(),
              Moments.of(o.getValue().churned(), o.getValue().covariate()),
              Moments::merge);
        }
      }
      if (seen.size() < assignments.size()) {
        missing.inc(
            assignments.size() - seen.size()); // Beam reports a counter once incremented, even by 0
      }
      sums.forEach((key, moments) -> out.output(KV.of(key, moments)));
    }
  }

  /**
   * entity_id, churned (boolean or 0/1) and the covariate; a bad row is counted and fails the run.
   */
  static final class ParseOutcomeFn extends DoFn<ResultRow, KV<String, Outcome>> {
    private static final long serialVersionUID = 1L;
    private final String covariate;

    ParseOutcomeFn(String covariate) {
      this.covariate = covariate;
    }

    @ProcessElement
    public void process(@Element ResultRow row, OutputReceiver<KV<String, Outcome>> out) {
      Object id = row.get("entity_id");
      Object churned = row.get("churned");
      double y;
      if (churned instanceof Boolean b) {
        y = b ? 1 : 0;
      } else if (churned instanceof Number n && (n.doubleValue() == 0 || n.doubleValue() == 1)) {
        y = n.doubleValue();
      } else {
        y = Double.NaN;
      }
      double x = 0;
      if (!covariate.isEmpty()) {
        Object value = row.columnNames().contains(covariate) ? row.get(covariate) : null;
        x = value instanceof Number n ? n.doubleValue() : Double.NaN;
      }
      if (id == null || Double.isNaN(y) || Double.isNaN(x)) {
        Metrics.counter(AnalyzePipeline.class, "bad_outcome_rows").inc();
        // An outcome that cannot be read would bias the arms silently: stop with the row named.
        throw new InvalidInputException(
            "outcome row "
                + row
                + " needs entity_id, churned (boolean or 0/1)"
                + (covariate.isEmpty() ? "" : " and a numeric " + covariate)
                + ": fix the outcomes query, or pass"
                + " --covariate= (empty) to analyse without CUPED");
      }
      out.output(KV.of(id.toString(), new Outcome(y, x)));
    }
  }

  /** arm, flagged, n, meanY, meanX, m2Y, m2X, cXY: Double.toString round-trips exactly. */
  static String line(KV<String, Moments> kv) {
    Moments m = kv.getValue();
    return kv.getKey()
        + "\t"
        + m.n()
        + "\t"
        + m.meanY()
        + "\t"
        + m.meanX()
        + "\t"
        + m.m2Y()
        + "\t"
        + m.m2X()
        + "\t"
        + m.cXY();
  }

  private static void readMoments(
      TaskOutput output, Map<String, Moments> all, Map<String, Moments> flagged) {
    for (ResourceId file : TfRecordFiles.match(output.staging(MOMENTS) + "*")) {
      String text;
      try {
        text = new String(FileBytes.read(file), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new RunFailedException(
            "cannot read the staged moments " + file + ": " + e.getMessage(), e);
      }
      for (String line : text.split("\n")) {
        if (line.isEmpty()) {
          continue;
        }
        String[] f = line.split("\t");
        Moments m =
            new Moments(
                Long.parseLong(f[2]),
                Double.parseDouble(f[3]),
                Double.parseDouble(f[4]),
                Double.parseDouble(f[5]),
                Double.parseDouble(f[6]),
                Double.parseDouble(f[7]));
        all.merge(f[0], m, Moments::merge);
        if (Boolean.parseBoolean(f[1])) {
          flagged.merge(f[0], m, Moments::merge);
        }
      }
    }
  }
}
