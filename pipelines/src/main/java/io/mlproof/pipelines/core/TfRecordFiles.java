package io.mlproof.pipelines.core;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * TFRecord files read and written in the driver, through Beam's {@link FileSystems} (local or
 * {@code gs://}) or inside a DoFn that handles a whole file, in the same framing Beam's {@code
 * TFRecordIO} uses: length (8 bytes LE), masked CRC32C of the length, data, masked CRC32C of the
 * data. Training needs the whole matrix in one process, and the features stage folds a file's rows
 * where it reads them: either way a record per pipeline element would cost more than the record.
 * (Beam's own codec is package-private.) Checksums are verified: a corrupt file fails loudly.
 */
public final class TfRecordFiles {
  private static final int MASK_DELTA = 0xa282ead8;
  private static final int BUFFER = 1 << 20;

  private TfRecordFiles() {}

  /** Receives each record; {@code bytes} is reused after the call returns. */
  @FunctionalInterface
  public interface RecordConsumer {
    void accept(byte[] bytes, int length, String file) throws IOException;
  }

  /** The files matching {@code pattern}, sorted by name; none is an error naming the pattern. */
  public static List<ResourceId> match(String pattern) {
    try {
      MatchResult result = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      List<ResourceId> files = new ArrayList<>();
      if (result.status() == MatchResult.Status.OK) {
        for (MatchResult.Metadata m : result.metadata()) {
          files.add(m.resourceId());
        }
      }
      if (files.isEmpty()) {
        throw new InvalidInputException(
            "no files match " + pattern + ": run the upstream task first or fix the path");
      }
      files.sort(Comparator.comparing(ResourceId::toString));
      return files;
    } catch (IOException e) {
      throw new InvalidInputException("cannot list " + pattern + ": " + e.getMessage(), e);
    }
  }

  /** Reads every record of every file matching {@code pattern}, files in name order. */
  public static void read(String pattern, RecordConsumer consumer) {
    for (ResourceId file : match(pattern)) {
      readFile(file, consumer);
    }
  }

  /** Reads every record of one file (compression detected from its name). */
  public static void readFile(ResourceId file, RecordConsumer consumer) {
    String name = file.toString();
    Compression compression = Compression.detect(file.getFilename());
    try (InputStream in =
        new BufferedInputStream(
            Channels.newInputStream(compression.readDecompressed(FileSystems.open(file))),
            BUFFER)) {
      byte[] header = new byte[12];
      byte[] footer = new byte[4];
      byte[] data = new byte[4096];
      ByteBuffer headerView = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
      CRC32C crc = new CRC32C();
      long offset = 0;
      while (true) {
        int got = in.readNBytes(header, 0, 12);
        if (got == 0) {
          return;
        }
        if (got < 12) {
          throw corrupt(name, offset, "truncated record header");
        }
        long length = headerView.getLong(0);
        if (masked(crc, header, 0, 8) != headerView.getInt(8)) {
          throw corrupt(name, offset, "length checksum mismatch");
        }
        if (length < 0 || length > Integer.MAX_VALUE - 16) {
          throw corrupt(name, offset, "record length " + length);
        }
        int len = (int) length;
        if (data.length < len) {
          data = new byte[Math.max(len, data.length * 2)];
        }
        if (in.readNBytes(data, 0, len) < len || in.readNBytes(footer, 0, 4) < 4) {
          throw corrupt(name, offset, "truncated record");
        }
        int expected = ByteBuffer.wrap(footer).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (masked(crc, data, 0, len) != expected) {
          throw corrupt(name, offset, "data checksum mismatch");
        }
        consumer.accept(data, len, name);
        offset += 16L + len;
      }
    } catch (IOException e) {
      throw new RunFailedException("cannot read " + name + ": " + e.getMessage(), e);
    }
  }

  /** Writes records to one file (uncompressed). */
  public static final class Writer implements AutoCloseable {
    private final OutputStream out;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    private long records;

    public Writer(String path) {
      this(create(path));
    }

    /** Writes to {@code channel}, buffered; {@link #close} closes it. */
    public Writer(WritableByteChannel channel) {
      this.out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
    }

    private static WritableByteChannel create(String path) {
      try {
        return FileSystems.create(FileSystems.matchNewResource(path, false), MimeTypes.BINARY);
      } catch (IOException e) {
        throw new RunFailedException("cannot create " + path + ": " + e.getMessage(), e);
      }
    }

    public void write(byte[] data) throws IOException {
      header.clear();
      header.putLong(0, data.length);
      header.putInt(8, masked(crc, header.array(), 0, 8));
      out.write(header.array(), 0, 12);
      out.write(data);
      footer.putInt(0, masked(crc, data, 0, data.length));
      out.write(footer.array(), 0, 4);
      records++;
    }

    public long records() {
      return records;
    }

    /** Writes out what is buffered, leaving the channel open. */
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  private static int masked(CRC32C crc, byte[] bytes, int offset, int length) {
    crc.reset();
    crc.update(bytes, offset, length);
    int value = (int) crc.getValue();
    return ((value >>> 15) | (value << 17)) + MASK_DELTA;
  }

  private static RunFailedException corrupt(String file, long offset, String what) {
    return new RunFailedException(
        "corrupt TFRecord file "
            + file
            + " at byte "
            + offset
            + ": "
            + what
            + " (re-run the task that wrote it)");
  }
}
