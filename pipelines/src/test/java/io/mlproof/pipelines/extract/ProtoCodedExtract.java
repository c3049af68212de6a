package io.mlproof.pipelines.extract;

import com.google.protobuf.Message;
import io.mlproof.pipelines.core.ProtoRecords;
import io.mlproof.pipelines.core.StageRun;
import io.mlproof.pipelines.core.TaskOutput;
import io.mlproof.pipelines.warehouse.Warehouse;
import io.mlproof.proto.v1.DeadLetter;
import io.mlproof.proto.v1.Manifest;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * The extract as it was before its records left the parse step serialized (ExtractBenchmark's
 * "before" in the same run): typed records coded by ProtoCoder between operators, serialized again
 * for the TFRecord write, and Flink's copy between chained operators left on unless the options say
 * {@code --fasterCopy=true}. Same read, parser and files; its manifest carries only the header and
 * the counters.
 */
public final class ProtoCodedExtract {

  private ProtoCodedExtract() {}

  public static Manifest run(ExtractOptions options, Warehouse warehouse) {
    warehouse.configure(options);
    ExtractPlan plan = ExtractPlan.prepare(options, warehouse);
    Pipeline pipeline = Pipeline.create(options);
    TaskOutput output =
        TaskOutput.begin(options.getOutput(), TaskOutput.Owner.of(ExtractPipeline.NAME, options));
    ParseAndValidate<? extends Message> parse =
        ParseAndValidate.of(plan.recordType(), plan.window());
    write(
        ExtractPipeline.read(pipeline, plan, warehouse).apply("ParseAndValidate", parse),
        parse,
        output);
    return StageRun.runAndCommit(pipeline, output, StageRun.header(ExtractPipeline.NAME, options));
  }

  private static <T extends Message> void write(
      PCollectionTuple parsed, ParseAndValidate<T> parse, TaskOutput output) {
    parsed
        .get(parse.recordsTag())
        .apply("WriteRecords", ProtoRecords.<T>write(output.staging(ExtractPipeline.RECORDS)));
    parsed
        .get(parse.deadLettersTag())
        .apply(
            "WriteDeadLetters",
            ProtoRecords.<DeadLetter>write(output.staging(ExtractPipeline.DEAD_LETTER)));
  }
}
