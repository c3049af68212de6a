package io.mlproof.pipelines.core;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import org.apache.beam.sdk.io.FileIO;

/**
 * A {@link FileIO.Sink} writing each element as one TFRecord, in the framing Beam's {@code
 * TFRecordIO} reads, through {@link TfRecordFiles.Writer}'s buffer: Beam's own TFRecord sink
 * allocates a buffer and a checksum per record and writes each one straight to the channel, which
 * cost the extract about a sixth of its time (docs/bench/extract.md).
 */
public final class TfRecordSink implements FileIO.Sink<byte[]> {
  private static final long serialVersionUID = 1L;
  private transient TfRecordFiles.Writer writer;

  @Override
  public void open(WritableByteChannel channel) {
    writer = new TfRecordFiles.Writer(channel);
  }

  @Override
  public void write(byte[] record) throws IOException {
    writer.write(record);
  }

  /** FileIO closes the channel itself after this. */
  @Override
  public void flush() throws IOException {
    writer.flush();
  }
}
