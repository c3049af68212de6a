package io.mlproof.pipelines.features;

import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.FeatureSpec;
import io.mlproof.proto.v1.ValidationReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The validation gate's checks as pipeline steps: each statistics element (one per features run)
 * goes through {@code CheckSchema}, {@code CheckLabel} and {@code CompareWithBaseline}, whose
 * findings {@code AssembleReport} merges, in that order, into one {@link ValidationReport}: the
 * report {@link Validator#validate} gives for the same inputs.
 */
final class ValidateStatistics
    extends PTransform<PCollection<DatasetStatistics>, PCollection<ValidationReport>> {
  private static final ProtoCoder<ValidationReport> REPORT = ProtoCoder.of(ValidationReport.class);
  private static final KvCoder<Integer, ValidationReport> PART =
      KvCoder.of(VarIntCoder.of(), REPORT);

  private final FeatureSpec schema;
  private final @Nullable DatasetStatistics baseline;
  private final Validator.Thresholds limits;

  ValidateStatistics(
      FeatureSpec schema, Optional<DatasetStatistics> baseline, Validator.Thresholds limits) {
    this.schema = schema;
    this.baseline = baseline.orElse(null);
    this.limits = limits;
  }

  @Override
  public PCollection<ValidationReport> expand(PCollection<DatasetStatistics> current) {
    FeatureSpec expected = schema;
    @Nullable DatasetStatistics previous = baseline;
    Validator.Thresholds thresholds = limits;
    List<PCollection<KV<Integer, ValidationReport>>> parts =
        List.of(
            check(current, "CheckSchema", 0, s -> Validator.checkSchema(s, expected)),
            check(current, "CheckLabel", 1, Validator::checkLabel),
            check(
                current,
                "CompareWithBaseline",
                2,
                s -> Validator.compareWithBaseline(s, Optional.ofNullable(previous), thresholds)));
    return PCollectionList.of(parts)
        .apply("CollectFindings", Flatten.pCollections())
        .apply("AssembleReport", new AssembleReport());
  }

  /** One check as a step; its findings carry their place in the report. */
  private static PCollection<KV<Integer, ValidationReport>> check(
      PCollection<DatasetStatistics> current,
      String name,
      int place,
      SerializableFunction<DatasetStatistics, ValidationReport> check) {
    return current
        .apply(
            name,
            MapElements.into(
                    TypeDescriptors.kvs(
                        TypeDescriptors.integers(), TypeDescriptor.of(ValidationReport.class)))
                .via(statistics -> KV.of(place, check.apply(statistics))))
        .setCoder(PART);
  }

  /** Brings the findings together and merges them in report order. */
  private static final class AssembleReport
      extends PTransform<
          PCollection<KV<Integer, ValidationReport>>, PCollection<ValidationReport>> {
    @Override
    public PCollection<ValidationReport> expand(PCollection<KV<Integer, ValidationReport>> parts) {
      return parts
          .apply("OneReport", WithKeys.of(""))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), PART))
          .apply("GroupFindings", GroupByKey.create())
          .apply("Findings", Values.create())
          .apply(
              "MergeInOrder",
              MapElements.into(TypeDescriptor.of(ValidationReport.class))
                  .via(ValidateStatistics::mergeInOrder))
          .setCoder(REPORT);
    }
  }

  private static ValidationReport mergeInOrder(Iterable<KV<Integer, ValidationReport>> found) {
    List<KV<Integer, ValidationReport>> parts = new ArrayList<>();
    found.forEach(parts::add);
    parts.sort(Comparator.comparing(KV::getKey));
    return Validator.merge(parts.stream().map(KV::getValue).toList());
  }
}
