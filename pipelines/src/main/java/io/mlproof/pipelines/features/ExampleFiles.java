package io.mlproof.pipelines.features;

import io.mlproof.proto.v1.Example;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * Streams the examples of TFRecord files on any Beam file system, checking each record's CRC32C.
 * (Beam's TFRecord codec is not public; the format is four fields: length, its masked CRC, data,
 * the data's masked CRC.)
 */
final class ExampleFiles {
  private static final int MASK_DELTA = 0xa282ead8;

  private ExampleFiles() {}

  /** Calls {@code sink} with every example in the files matching {@code pattern}; returns the count. */
  static long forEach(String pattern, Consumer<Example> sink) throws IOException {
    long n = 0;
    for (MatchResult.Metadata file : FileSystems.match(pattern, EmptyMatchTreatment.ALLOW).metadata()) {
      try (InputStream raw = Channels.newInputStream(FileSystems.open(file.resourceId()));
          DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
        n += read(in, file.resourceId().toString(), sink);
      }
    }
    return n;
  }

  private static long read(DataInputStream in, String file, Consumer<Example> sink) throws IOException {
    byte[] header = new byte[12];
    byte[] crc = new byte[4];
    long n = 0;
    for (int first = in.read(); first >= 0; first = in.read()) {
      header[0] = (byte) first;
      in.readFully(header, 1, 11);
      ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
      long length = h.getLong();
      if (h.getInt() != masked(header, 8)) {
        throw new EOFException("corrupt TFRecord length in " + file);
      }
      byte[] data = new byte[Math.toIntExact(length)];
      in.readFully(data);
      in.readFully(crc);
      if (ByteBuffer.wrap(crc).order(ByteOrder.LITTLE_ENDIAN).getInt() != masked(data, data.length)) {
        throw new EOFException("corrupt TFRecord data in " + file);
      }
      sink.accept(Example.parseFrom(data));
      n++;
    }
    return n;
  }

  private static int masked(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + MASK_DELTA;
  }
}
