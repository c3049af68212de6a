package io.mlproof.pipelines.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import io.mlproof.proto.v1.Example;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The field-by-field decoder that training and scoring share; every value here is by hand. */
class ExampleDecoderTest {
  private static final byte[] HASH = "abc123".getBytes(StandardCharsets.US_ASCII);

  private static byte[] example(String id, int day, double... features) {
    return Example.newBuilder()
        .setEntityId(id)
        .setCutoffDay(day)
        .setHasLabel(true)
        .setLabel(true)
        .setFeatureSpecHash("abc123")
        .addAllFeatures(Arrays.stream(features).boxed().toList())
        .build()
        .toByteArray();
  }

  @Test
  void decodesTheFieldsAndCopiesThePackedValuesIntoTheRowAtItsOffset() throws IOException {
    ExampleDecoder decoder = new ExampleDecoder(3);
    double[] batch = new double[7];
    Arrays.fill(batch, -1);
    byte[] record = example("u7", 19920, 1.5, Double.NaN, -2);
    decoder.decode(record, record.length, batch, 3);

    assertThat(decoder.id()).isEqualTo("u7");
    assertThat(decoder.cutoffDay()).isEqualTo(19920);
    assertThat(decoder.hasLabel()).isTrue();
    assertThat(decoder.label()).isTrue();
    assertThat(decoder.features()).isEqualTo(3);
    assertThat(decoder.hasSpecHash(HASH)).isTrue();
    assertThat(decoder.hasSpecHash("abc12".getBytes(StandardCharsets.US_ASCII))).isFalse();
    assertThat(decoder.specHash()).isEqualTo("abc123");
    assertThat(batch).containsExactly(-1, -1, -1, 1.5, Double.NaN, -2, -1);
  }

  @Test
  void aWiderRecordIsCountedWholeButWritesOnlyTheRowsWidth() throws IOException {
    ExampleDecoder decoder = new ExampleDecoder(2);
    double[] row = {0, 0, 9};
    byte[] record = example("u1", 1, 4, 5, 6, 7);
    decoder.decode(record, record.length, row, 0);
    assertThat(decoder.features()).isEqualTo(4);
    assertThat(row).containsExactly(4, 5, 9);
  }

  @Test
  void unpackedValuesAreReadToo() throws IOException {
    // Proto3 writers pack repeated doubles, but a parser must accept them one by one as well.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(Example.ENTITY_ID_FIELD_NUMBER, "u2");
    out.writeDouble(Example.FEATURES_FIELD_NUMBER, 0.25);
    out.writeDouble(Example.FEATURES_FIELD_NUMBER, 8);
    out.writeDouble(Example.FEATURES_FIELD_NUMBER, 9);
    out.flush();
    byte[] record = bytes.toByteArray();
    ExampleDecoder decoder = new ExampleDecoder(2);
    double[] row = new double[2];
    decoder.decode(record, record.length, row, 0);
    assertThat(decoder.features()).isEqualTo(3);
    assertThat(row).containsExactly(0.25, 8);
  }

  @Test
  void eachRecordStartsFromDefaultsAndANoHashRecordHasNone() throws IOException {
    ExampleDecoder decoder = new ExampleDecoder(1);
    double[] row = new double[1];
    byte[] first = example("u3", 5, 1);
    decoder.decode(first, first.length, row, 0);
    byte[] bare = Example.newBuilder().addFeatures(2).build().toByteArray();
    decoder.decode(bare, bare.length, row, 0);
    assertThat(decoder.id()).isEmpty();
    assertThat(decoder.cutoffDay()).isZero();
    assertThat(decoder.hasLabel()).isFalse();
    assertThat(decoder.specHash()).isNull();
    assertThat(decoder.hasSpecHash(HASH)).isFalse();
    assertThat(row).containsExactly(2);
  }

  @Test
  void onlyTheGivenLengthIsDecoded() throws IOException {
    byte[] record = example("u4", 3, 1, 2);
    byte[] padded = Arrays.copyOf(record, record.length + 5);
    Arrays.fill(padded, record.length, padded.length, (byte) 0xff); // garbage after the record
    ExampleDecoder decoder = new ExampleDecoder(2);
    double[] row = new double[2];
    decoder.decode(padded, record.length, row, 0);
    assertThat(decoder.id()).isEqualTo("u4");
    assertThat(row).containsExactly(1, 2);
  }

  @Test
  void packedValuesThatAreNotWholeDoublesAreRefused() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] record;
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeByteArray(Example.FEATURES_FIELD_NUMBER, new byte[12]);
      out.flush();
      record = bytes.toByteArray();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    ExampleDecoder decoder = new ExampleDecoder(2);
    assertThatThrownBy(() -> decoder.decode(record, record.length, new double[2], 0))
        .isInstanceOf(IOException.class)
        .hasMessage("packed feature values of 12 bytes, not a whole number of doubles");
  }
}
