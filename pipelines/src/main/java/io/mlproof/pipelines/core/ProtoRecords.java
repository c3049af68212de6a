package io.mlproof.pipelines.core;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.mlproof.proto.v1.OutputFile;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.io.TFRecordIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptor;

/** Proto records stored as TFRecord files: the format between every pair of stages. */
public final class ProtoRecords {
  public static final String SUFFIX = ".tfrecord";

  private ProtoRecords() {}

  /**
   * Writes serialized protos under {@code prefix} (sharded, {@code
   * prefix-SSSSS-of-NNNNN.tfrecord}).
   */
  public static <T extends Message> PTransform<PCollection<T>, PDone> write(String prefix) {
    return new PTransform<>() {
      @Override
      public PDone expand(PCollection<T> records) {
        return records
            .apply(
                "Serialize",
                MapElements.into(TypeDescriptor.of(byte[].class)).via(Message::toByteArray))
            .apply("WriteTFRecord", TFRecordIO.write().to(prefix).withSuffix(SUFFIX));
      }
    };
  }

  /** Reads protos of {@code type} from files matching {@code pattern}. */
  public static <T extends Message> PTransform<PBegin, PCollection<T>> read(
      String pattern, Class<T> type) {
    return new PTransform<>() {
      @Override
      public PCollection<T> expand(PBegin begin) {
        return begin
            .apply("ReadTFRecord", TFRecordIO.read().from(pattern))
            .apply("Parse", MapElements.via(new ParseFn<>(type)))
            .setCoder(ProtoCoder.of(type));
      }
    };
  }

  /** The glob matching every shard written by {@link #write} under {@code prefix}'s file name. */
  public static String shardGlob(String name) {
    return name + "-*" + SUFFIX;
  }

  /**
   * The manifest entry of the records {@link #write} wrote under {@code name}: the shards' glob,
   * the record count later stages verify, and the record type.
   */
  public static OutputFile.Builder manifestEntry(String name, long records, Descriptor type) {
    return OutputFile.newBuilder()
        .setName(name)
        .setPath(shardGlob(name))
        .setRecords(records)
        .setRecordType(type.getFullName());
  }

  private static final class ParseFn<T extends Message> extends SimpleFunction<byte[], T> {
    private static final long serialVersionUID = 1L;
    private final Class<T> type;
    private transient Parser<T> parser;

    ParseFn(Class<T> type) {
      this.type = type;
    }

    @Override
    public T apply(byte[] bytes) {
      try {
        return parser().parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        throw new RunFailedException(
            "corrupt " + type.getSimpleName() + " record: " + e.getMessage(), e);
      }
    }

    @SuppressWarnings("unchecked")
    private Parser<T> parser() {
      if (parser == null) {
        try {
          parser = (Parser<T>) type.getMethod("parser").invoke(null);
        } catch (ReflectiveOperationException e) {
          throw new IllegalArgumentException(type + " is not a generated protobuf message", e);
        }
      }
      return parser;
    }
  }
}
