package io.mlproof.pipelines.model;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.mlproof.proto.v1.Example;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes one serialized {@code Example} record field by field with protobuf's {@link
 * CodedInputStream}, the packed feature values bulk-copied straight into a caller's {@code
 * double[]} (a matrix row): no {@code Example} object or boxed double is made. Training reads
 * millions of rows into one matrix and scoring into prediction batches, so the parse is the hot
 * loop of both. One decoder is reused record after record (not thread-safe); the fields of the last
 * record are read through its getters. It checks nothing: the caller decides what is an error.
 */
public final class ExampleDecoder {
  private static final int ENTITY_ID =
      tag(Example.ENTITY_ID_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int CUTOFF_DAY =
      tag(Example.CUTOFF_DAY_FIELD_NUMBER, WireFormat.WIRETYPE_VARINT);
  private static final int FEATURES_PACKED =
      tag(Example.FEATURES_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int FEATURES_SINGLE =
      tag(Example.FEATURES_FIELD_NUMBER, WireFormat.WIRETYPE_FIXED64);
  private static final int HAS_LABEL =
      tag(Example.HAS_LABEL_FIELD_NUMBER, WireFormat.WIRETYPE_VARINT);
  private static final int LABEL = tag(Example.LABEL_FIELD_NUMBER, WireFormat.WIRETYPE_VARINT);
  private static final int SPEC_HASH =
      tag(Example.FEATURE_SPEC_HASH_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);

  /** Packed doubles straight out of the record bytes (an intrinsic once compiled). */
  private static final VarHandle LITTLE_ENDIAN_DOUBLE =
      MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

  private final int columns;
  private byte[] bytes;
  private String id;
  private int cutoffDay;
  private boolean hasLabel;
  private boolean label;
  private int hashOffset;
  private int hashLength;
  private int features;

  /**
   * @param columns the row width: at most this many feature values are copied; {@link #features}
   *     counts them all
   */
  public ExampleDecoder(int columns) {
    this.columns = columns;
  }

  private static int tag(int field, int wireType) {
    return (field << 3) | wireType;
  }

  /**
   * Decodes {@code bytes[0..length)}; its first {@code columns} feature values go to {@code
   * row[offset..]}. {@code bytes} must stay unchanged until the next call ({@link #specHash} reads
   * it).
   */
  public void decode(byte[] bytes, int length, double[] row, int offset) throws IOException {
    this.bytes = bytes;
    id = "";
    cutoffDay = 0;
    hasLabel = false;
    label = false;
    hashOffset = -1;
    hashLength = 0;
    features = 0;
    CodedInputStream in = CodedInputStream.newInstance(bytes, 0, length);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == FEATURES_PACKED) {
        int size = in.readRawVarint32();
        int n = size / Double.BYTES;
        if (size % Double.BYTES != 0) {
          throw new IOException(
              "packed feature values of " + size + " bytes, not a whole number of doubles");
        }
        int start = in.getTotalBytesRead();
        for (int i = 0; i < n && features + i < columns; i++) {
          row[offset + features + i] =
              (double) LITTLE_ENDIAN_DOUBLE.get(bytes, start + i * Double.BYTES);
        }
        features += n;
        in.skipRawBytes(size);
      } else if (tag == FEATURES_SINGLE) {
        double v = in.readDouble();
        if (features < columns) {
          row[offset + features] = v;
        }
        features++;
      } else if (tag == ENTITY_ID) {
        id = in.readStringRequireUtf8();
      } else if (tag == CUTOFF_DAY) {
        cutoffDay = in.readInt32();
      } else if (tag == HAS_LABEL) {
        hasLabel = in.readBool();
      } else if (tag == LABEL) {
        label = in.readBool();
      } else if (tag == SPEC_HASH) {
        hashLength = in.readRawVarint32();
        hashOffset = in.getTotalBytesRead();
        in.skipRawBytes(hashLength);
      } else if (!in.skipField(tag)) {
        break;
      }
    }
  }

  public String id() {
    return id;
  }

  public int cutoffDay() {
    return cutoffDay;
  }

  public boolean hasLabel() {
    return hasLabel;
  }

  public boolean label() {
    return label;
  }

  /** How many feature values the record holds (only the first {@code columns} were copied). */
  public int features() {
    return features;
  }

  /** Whether the record's feature spec hash is {@code expected} (compared without a copy). */
  public boolean hasSpecHash(byte[] expected) {
    return hashOffset >= 0
        && Arrays.equals(bytes, hashOffset, hashOffset + hashLength, expected, 0, expected.length);
  }

  /** The record's feature spec hash, or null when it has none (for error messages). */
  public String specHash() {
    return hashOffset < 0
        ? null
        : new String(bytes, hashOffset, hashLength, StandardCharsets.US_ASCII);
  }
}
