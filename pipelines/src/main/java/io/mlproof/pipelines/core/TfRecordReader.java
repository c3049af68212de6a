package io.mlproof.pipelines.core;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.zip.CRC32C;

/**
 * Streams the records of a TFRecord file (what {@link ProtoRecords#write} writes), checking each
 * record's CRC32C. For readers that handle a whole file in one step, where
 * a record per pipeline element would cost more than the record. (Beam's TFRecord codec is not
 * public; the format is four fields: length, its masked CRC, data, the data's masked CRC.)
 */
public final class TfRecordReader {
  private static final int MASK_DELTA = 0xa282ead8;

  private TfRecordReader() {}

  /** Receives each record's bytes. */
  @FunctionalInterface
  public interface RecordSink {
    void accept(byte[] record) throws IOException;
  }

  /**
   * Calls {@code sink} with every record of one file's {@code channel}; {@code name} is for errors.
   * A truncated or corrupt file is an {@link EOFException} naming the file and the record number.
   */
  public static long forEachRecord(ReadableByteChannel channel, String name, RecordSink sink) throws IOException {
    InputStream raw = Channels.newInputStream(channel);
    DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16));
    byte[] header = new byte[12];
    byte[] crc = new byte[4];
    long n = 0;
    for (int first = in.read(); first >= 0; first = in.read()) {
      try {
        header[0] = (byte) first;
        in.readFully(header, 1, 11);
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        long length = h.getLong();
        if (h.getInt() != masked(header, 8) || length < 0 || length > Integer.MAX_VALUE) {
          throw new EOFException("corrupt TFRecord length");
        }
        byte[] data = new byte[(int) length];
        in.readFully(data);
        in.readFully(crc);
        if (ByteBuffer.wrap(crc).order(ByteOrder.LITTLE_ENDIAN).getInt() != masked(data, data.length)) {
          throw new EOFException("corrupt TFRecord data");
        }
        sink.accept(data);
        n++;
      } catch (EOFException e) {
        throw new EOFException(name + ": record " + (n + 1) + ": "
            + (e.getMessage() == null ? "file ends inside the record (truncated)" : e.getMessage()));
      }
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
