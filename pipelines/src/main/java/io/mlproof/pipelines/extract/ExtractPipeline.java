package io.mlproof.pipelines.extract;

import com.google.protobuf.Message;
import io.mlproof.pipelines.core.OptionsParser;
import io.mlproof.pipelines.core.ProtoRecords;
import io.mlproof.pipelines.core.RunFailedException;
import io.mlproof.pipelines.core.Stage;
import io.mlproof.pipelines.core.StageRun;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.core.TfRecordFiles;
import io.mlproof.pipelines.core.TfRecordSink;
import io.mlproof.pipelines.warehouse.ResultRow;
import io.mlproof.pipelines.warehouse.ResultRowCoder;
import io.mlproof.pipelines.warehouse.SqlRowMapper;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.DeadLetter;
import io.mlproof.proto.v1.Manifest;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;

/**
 * {@code mlproof run extract}: renders a SQL template for the run's data interval, reads its rows
 * from the warehouse, turns them into proto records and dead letters, and commits both as TFRecord
 * files with a manifest, unless more than {@code --maxBadFraction} of the rows were bad.
 *
 * <pre>
 * ReadWarehouseRows -> ParseAndValidate -> WriteOutputs -+-> records-*.tfrecord
 *                      (records and dead letters, one    +-> dead_letter-*.tfrecord
 *                       output, serialized)
 * </pre>
 */
public final class ExtractPipeline implements Stage<ExtractOptions> {

  public static final String NAME = "extract";
  public static final String RECORDS = "records";
  public static final String DEAD_LETTER = "dead_letter";

  /** The warehouse to read, or null to open the one the options name. */
  private final Warehouse warehouse;

  /** The registered stage: reads the warehouse its options name. */
  public ExtractPipeline() {
    this(null);
  }

  private ExtractPipeline(Warehouse warehouse) {
    this.warehouse = warehouse;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Render a SQL template for the data interval, read the warehouse, write proto records and dead letters.";
  }

  @Override
  public Class<ExtractOptions> optionsType() {
    return ExtractOptions.class;
  }

  @Override
  public void run(String[] args) {
    ExtractOptions options = parse(args);
    run(options, Warehouse.from(options), System.out);
  }

  /** Parses Beam-style arguments; any problem is a one-line exit-2 error. */
  public static ExtractOptions parse(String... args) {
    return OptionsParser.parse(NAME, args, ExtractOptions.class);
  }

  /**
   * Checks, then (unless {@code --dryRun}) runs and commits through the stage skeleton. Returns the
   * committed manifest, or null for a dry run, whose report goes to {@code out}: a dry run checks
   * and prints without staging any output, so it stays outside {@link StageRun#execute}.
   */
  public static Manifest run(ExtractOptions options, Warehouse warehouse, PrintStream out) {
    if (options.getDryRun()) {
      warehouse.configure(options);
      out.print(ExtractPlan.prepare(options, warehouse).report(warehouse.spec()));
      return null;
    }
    return StageRun.execute(new ExtractPipeline(warehouse), options, out);
  }

  @Override
  public Plan prepare(ExtractOptions options) {
    Warehouse source = warehouse != null ? warehouse : Warehouse.from(options);
    // Flink copies every element between chained operators through its coder unless told not to;
    // extract's DoFns never mutate their inputs, so the copy buys nothing and cost most of the
    // extract's time (docs/bench/extract.md). The Direct runner ignores the option.
    options.as(FlinkPipelineOptions.class).setFasterCopy(true);
    source.configure(options);
    return new ExtractRun(ExtractPlan.prepare(options, source), source);
  }

  /** A prepared extract: the pipeline it builds and the manifest it commits. */
  private record ExtractRun(ExtractPlan plan, Warehouse warehouse) implements Plan {

    @Override
    public void expand(Pipeline pipeline, TaskOutput output) {
      build(pipeline, plan, warehouse, output);
    }

    @Override
    public void finish(
        StageRun.Finished finished, TaskOutput output, Manifest.Builder manifest, PrintStream out) {
      WriteOutputs.addMissingShards(output);
      Counts counts = Counts.of(finished.counters());
      if (counts.badFraction() > plan.maxBadFraction()) {
        String kept = keepDeadLetters(output);
        throw new RunFailedException(
            "extract "
                + plan.recordType().optionName()
                + ": "
                + counts.describe()
                + ", above --maxBadFraction="
                + plan.maxBadFraction()
                + "; nothing committed, dead letters kept in "
                + kept
                + " (fix the data or raise --maxBadFraction)");
      }
      describe(manifest, plan, warehouse, counts);
    }
  }

  /**
   * The pipeline: read, parse and validate, write. Records and dead letters leave the parse step
   * serialized, as its one output, and go straight into the TFRecord files.
   */
  public static void build(
      Pipeline pipeline, ExtractPlan plan, Warehouse warehouse, TaskOutput output) {
    ParseAndValidate<? extends Message> parse =
        ParseAndValidate.serialized(plan.recordType(), plan.window());
    read(pipeline, plan, warehouse)
        .apply("ParseAndValidate", parse)
        .apply("WriteOutputs", new WriteOutputs(parse, output));
  }

  /** The raw rows of the plan's query, engine-neutral. */
  public static PCollection<ResultRow> read(
      Pipeline pipeline, ExtractPlan plan, Warehouse warehouse) {
    // Every record type requires the key column (checkColumns), so the parts always cover every
    // row.
    return pipeline.apply(
        "ReadWarehouseRows",
        warehouse.readPartitioned(
            plan.sql(),
            ExtractPlan.PARTITION_KEY,
            plan.readPartitions(),
            SqlRowMapper.copy(),
            ResultRowCoder.of()));
  }

  /**
   * Writes the serialized records and dead letters with one {@link FileIO#writeDynamic} into the
   * staging directory, as {@code records-SSSSS-of-NNNNN.tfrecord} and {@code
   * dead_letter-SSSSS-of-NNNNN.tfrecord}: the names {@link ProtoRecords#write} gives, so the
   * manifest's globs and every reader stay as they were.
   */
  static final class WriteOutputs extends PTransform<PCollectionTuple, PDone> {
    private static final long serialVersionUID = 1L;
    private final ParseAndValidate<?> parsed;
    private final String directory;

    WriteOutputs(ParseAndValidate<?> parsed, TaskOutput output) {
      this.parsed = parsed;
      this.directory =
          FileSystems.matchNewResource(output.staging(RECORDS), false)
              .getCurrentDirectory()
              .toString();
    }

    @Override
    public PDone expand(PCollectionTuple outputs) {
      outputs
          .get(parsed.outcomesTag())
          .apply(
              "WriteTFRecords",
              FileIO.<String, Outcome>writeDynamic()
                  .by(Outcome::destination)
                  .withDestinationCoder(StringUtf8Coder.of())
                  .via(Contextful.fn(Outcome::bytes), new TfRecordSink())
                  .to(directory)
                  .withNaming(name -> FileIO.Write.defaultNaming(name, ProtoRecords.SUFFIX))
                  // An empty input still writes one (empty) records file.
                  .withEmptyGlobalWindowDestination(RECORDS));
      return PDone.in(outputs.getPipeline());
    }

    /**
     * A file per output as {@link ProtoRecords#write} guarantees: one write only makes files for
     * the destinations it saw, so a run without dead letters (or without records) gets the empty
     * {@code -00000-of-00001} shard Beam's own sink would have written.
     */
    static void addMissingShards(TaskOutput output) {
      for (String name : List.of(RECORDS, DEAD_LETTER)) {
        String prefix = output.staging(name);
        try {
          MatchResult shards =
              FileSystems.match(prefix + "-*" + ProtoRecords.SUFFIX, EmptyMatchTreatment.ALLOW);
          if (shards.status() == MatchResult.Status.OK && shards.metadata().isEmpty()) {
            new TfRecordFiles.Writer(prefix + "-00000-of-00001" + ProtoRecords.SUFFIX).close();
          }
        } catch (IOException e) {
          throw new RunFailedException(
              "could not write the empty " + name + " file: " + e.getMessage(), e);
        }
      }
    }
  }

  /** The counters that decide a run, read back from the finished pipeline. */
  record Counts(
      long rows, long records, long badRows, long deadLetters, Map<BadRowReason, Long> byReason) {

    static Counts of(Map<String, Long> counters) {
      Map<BadRowReason, Long> byReason = new EnumMap<>(BadRowReason.class);
      for (BadRowReason reason : BadRowReason.values()) {
        long count = counters.getOrDefault(reason.counterName(), 0L);
        if (count > 0) {
          byReason.put(reason, count);
        }
      }
      return new Counts(
          counters.getOrDefault(ParseAndValidate.ROWS, 0L),
          counters.getOrDefault(ParseAndValidate.RECORDS, 0L),
          counters.getOrDefault(ParseAndValidate.BAD_ROWS, 0L),
          counters.getOrDefault(ParseAndValidate.DEAD_LETTERS, 0L),
          byReason);
    }

    double badFraction() {
      return rows == 0 ? 0 : (double) badRows / rows;
    }

    String describe() {
      List<String> reasons = new ArrayList<>();
      byReason.forEach((reason, count) -> reasons.add(reason + " " + count));
      return String.format(
          Locale.ROOT,
          "%d of %d rows were bad (%.2f%%: %s)",
          badRows,
          rows,
          100 * badFraction(),
          String.join(", ", reasons));
    }
  }

  /** Extract's part of the manifest; the skeleton wrote the header and the counters. */
  private static void describe(
      Manifest.Builder manifest, ExtractPlan plan, Warehouse warehouse, Counts counts) {
    manifest
        .setQuerySha256(plan.sql().sha256())
        .setRecordType(plan.recordType().protoName())
        .addFiles(
            ProtoRecords.manifestEntry(RECORDS, counts.records(), plan.recordType().descriptor()))
        .addFiles(
            ProtoRecords.manifestEntry(
                DEAD_LETTER, counts.deadLetters(), DeadLetter.getDescriptor()))
        .putAttributes("record_type", plan.recordType().optionName())
        .putAttributes("template", plan.sql().template())
        .putAttributes("warehouse", warehouse.spec())
        .putAttributes("data_interval_start", plan.context().dataIntervalStart().toString())
        .putAttributes("data_interval_end", plan.context().dataIntervalEnd().toString())
        .putAttributes("bad_fraction", Double.toString(counts.badFraction()))
        .putAttributes("max_bad_fraction", Double.toString(plan.maxBadFraction()))
        .putAttributes("read_partitions", Integer.toString(plan.readPartitions()));
  }

  /**
   * Moves the staged dead letters of a failed run into the output directory, where they can be
   * inspected; without a manifest the directory still reads as incomplete, and the next attempt
   * clears them.
   */
  private static String keepDeadLetters(TaskOutput output) {
    ResourceId directory = FileSystems.matchNewResource(output.directory(), true);
    try {
      MatchResult staged =
          FileSystems.match(output.staging(DEAD_LETTER) + "*", EmptyMatchTreatment.ALLOW);
      List<ResourceId> sources = new ArrayList<>();
      List<ResourceId> destinations = new ArrayList<>();
      if (staged.status() == MatchResult.Status.OK) {
        for (MatchResult.Metadata file : staged.metadata()) {
          sources.add(file.resourceId());
          destinations.add(
              directory.resolve(
                  file.resourceId().getFilename(), StandardResolveOptions.RESOLVE_FILE));
        }
      }
      FileSystems.rename(
          sources, destinations, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException e) {
      throw new RunFailedException(
          "could not keep the dead letters of " + output.directory() + ": " + e.getMessage(), e);
    }
    return directory
        .resolve(ProtoRecords.shardGlob(DEAD_LETTER), StandardResolveOptions.RESOLVE_FILE)
        .toString();
  }
}
