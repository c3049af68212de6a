package io.mlproof.pipelines.features;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads and writes TFRecord files directly (length, masked CRC32C, data, masked CRC32C), so tests
 * and benchmarks can make inputs and check outputs without running a pipeline for it.
 */
final class TfRecordFiles {
  private static final int MASK_DELTA = 0xa282ead8;

  private TfRecordFiles() {}

  /** A streaming TFRecord writer. */
  static final class Writer implements Closeable {
    private final OutputStream out;
    private final ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);

    Writer(Path file) throws IOException {
      this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
    }

    void write(byte[] data) throws IOException {
      header.clear();
      header.putLong(data.length);
      header.putInt(masked(header.array(), 0, 8));
      out.write(header.array());
      out.write(data);
      footer.clear();
      footer.putInt(masked(data, 0, data.length));
      out.write(footer.array());
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  static void write(Path file, Iterable<? extends Message> records) throws IOException {
    try (Writer writer = new Writer(file)) {
      for (Message m : records) {
        writer.write(m.toByteArray());
      }
    }
  }

  /** Every record of every file matching {@code glob} in {@code dir}. */
  static <T extends Message> List<T> read(Path dir, String glob, Parser<T> parser)
      throws IOException {
    List<T> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
      for (Path file : files) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
          readAll(new DataInputStream(in), parser, out);
        }
      }
    }
    return out;
  }

  private static <T extends Message> void readAll(DataInputStream in, Parser<T> parser, List<T> out)
      throws IOException {
    byte[] header = new byte[12];
    while (true) {
      int first = in.read();
      if (first < 0) {
        return;
      }
      header[0] = (byte) first;
      in.readFully(header, 1, 11);
      ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
      long length = h.getLong();
      if (h.getInt() != masked(header, 0, 8)) {
        throw new IOException("corrupt TFRecord length");
      }
      byte[] data = new byte[Math.toIntExact(length)];
      in.readFully(data);
      byte[] crc = new byte[4];
      in.readFully(crc);
      if (ByteBuffer.wrap(crc).order(ByteOrder.LITTLE_ENDIAN).getInt()
          != masked(data, 0, data.length)) {
        throw new EOFException("corrupt TFRecord data");
      }
      out.add(parser.parseFrom(data));
    }
  }

  private static int masked(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + MASK_DELTA;
  }
}
