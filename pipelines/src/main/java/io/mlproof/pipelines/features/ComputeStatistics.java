package io.mlproof.pipelines.features;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.mlproof.proto.v1.DatasetStatistics;
import io.mlproof.proto.v1.Example;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/** Examples to one {@link DatasetStatistics}, computed in the same run that writes the examples. */
public final class ComputeStatistics extends PTransform<PCollection<Example>, PCollection<DatasetStatistics>> {
  public static final String PB_FILE = "statistics.pb";
  public static final String JSON_FILE = "statistics.json";
  /**
   * Intermediate keys for the global combine: on the Direct runner a single hot key after a
   * high-cardinality Combine.perKey is quadratic (its state is copied per one-element bundle).
   */
  private static final int FANOUT = 32;

  private final StatisticsFn fn;

  private ComputeStatistics(StatisticsFn fn) {
    this.fn = fn;
  }

  public static ComputeStatistics of(FeaturePlan plan) {
    return new ComputeStatistics(new StatisticsFn(plan.featureNames(), plan.specHash()));
  }

  @Override
  public PCollection<DatasetStatistics> expand(PCollection<Example> examples) {
    return examples
        .apply("Summarize", Combine.globally(fn).withFanout(FANOUT))
        .setCoder(ProtoCoder.of(DatasetStatistics.class));
  }

  /** Writes the single statistics element as a binary proto and as JSON to the given files. */
  public static PTransform<PCollection<DatasetStatistics>, PDone> writeTo(String pbFile, String jsonFile) {
    return new PTransform<>() {
      @Override
      public PDone expand(PCollection<DatasetStatistics> stats) {
        stats.apply("WriteFiles", ParDo.of(new WriteFn(pbFile, jsonFile)));
        return PDone.in(stats.getPipeline());
      }
    };
  }

  /** Reads a binary statistics file. */
  public static DatasetStatistics read(String file) throws IOException {
    try (InputStream in = Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(file, false)))) {
      return DatasetStatistics.parseFrom(in);
    }
  }

  /** Idempotent: a retried bundle rewrites the same two files. */
  private static final class WriteFn extends DoFn<DatasetStatistics, Void> {
    private static final long serialVersionUID = 1L;
    private final String pbFile;
    private final String jsonFile;

    WriteFn(String pbFile, String jsonFile) {
      this.pbFile = pbFile;
      this.jsonFile = jsonFile;
    }

    @ProcessElement
    public void process(@Element DatasetStatistics stats) throws IOException {
      write(pbFile, MimeTypes.BINARY, stats.toByteArray());
      write(jsonFile, MimeTypes.TEXT, (json(stats) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void write(String file, String mime, byte[] bytes) throws IOException {
      try (WritableByteChannel out = FileSystems.create(FileSystems.matchNewResource(file, false), mime)) {
        out.write(ByteBuffer.wrap(bytes));
      }
    }
  }

  /** The statistics as JSON (protobuf JsonFormat; NaN label rate prints as "NaN"). */
  public static String json(DatasetStatistics stats) {
    try {
      return JsonFormat.printer().print(stats);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }
}
