package io.mlproof.pipelines.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TFRecordIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TfRecordSink} writes the TFRecord format Beam's own {@link TFRecordIO} writes and reads:
 * the same bytes for the same record, read back by Beam (which checks both checksums) and by {@link
 * TfRecordFiles}.
 */
class TfRecordSinkTest {

  final transient TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(true);

  @TempDir Path dir;

  /** Empty, short, one past the 1 MiB buffer, and with bytes that are not text. */
  private static List<byte[]> records() {
    byte[] large = new byte[(1 << 20) + 1];
    for (int i = 0; i < large.length; i++) {
      large[i] = (byte) (i * 31);
    }
    return List.of(
        new byte[0], "a".getBytes(StandardCharsets.UTF_8), large, new byte[] {0, -1, 127, -128});
  }

  private static String describe(byte[] bytes) {
    return bytes.length + ":" + Arrays.hashCode(bytes);
  }

  private Path writeWithSink(String name, List<byte[]> records) throws Exception {
    FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
    Path file = dir.resolve(name);
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      TfRecordSink sink = new TfRecordSink();
      sink.open(channel);
      for (byte[] record : records) {
        sink.write(record);
      }
      sink.flush();
      // FileIO closes the channel after flush: everything must be in the file by now.
      long payload = records.stream().mapToLong(r -> r.length).sum();
      assertThat(channel.size()).isEqualTo(16L * records.size() + payload);
    }
    return file;
  }

  @Test
  void beamsTfRecordIoReadsWhatTheSinkWrote() throws Exception {
    Path file = writeWithSink("sink.tfrecord", records());

    PAssert.that(
            p.apply(TFRecordIO.read().from(file.toString()))
                .apply(MapElements.into(TypeDescriptors.strings()).via(TfRecordSinkTest::describe)))
        .containsInAnyOrder(records().stream().map(TfRecordSinkTest::describe).toList());
    p.run().waitUntilFinish();

    List<String> read = new ArrayList<>();
    TfRecordFiles.read(
        file.toString(), (bytes, length, f) -> read.add(describe(Arrays.copyOf(bytes, length))));
    assertThat(read)
        .containsExactlyElementsOf(records().stream().map(TfRecordSinkTest::describe).toList());
  }

  @Test
  void theSameBytesAsBeamsTfRecordIoForTheSameRecord() throws Exception {
    // One record per file, so the order Beam writes in cannot matter.
    for (byte[] record : records()) {
      String name = "r" + record.length;
      Path ours = writeWithSink(name + ".sink", List.of(record));
      Pipeline beam = Pipeline.create();
      beam.apply(Create.of(List.of(record)).withCoder(ByteArrayCoder.of()))
          .apply(TFRecordIO.write().to(dir.resolve(name).toString()).withoutSharding());
      beam.run().waitUntilFinish();
      assertThat(Files.readAllBytes(ours)).isEqualTo(Files.readAllBytes(dir.resolve(name)));
    }
  }

  @Test
  void fileIoWritesThroughTheSink() throws Exception {
    p.apply(Create.of(records()).withCoder(ByteArrayCoder.of()))
        .apply(
            FileIO.<byte[]>write()
                .via(new TfRecordSink())
                .to(dir.toString())
                .withNaming(FileIO.Write.defaultNaming("records", ProtoRecords.SUFFIX)));
    p.run().waitUntilFinish();

    List<String> read = new ArrayList<>();
    TfRecordFiles.read(
        dir.resolve(ProtoRecords.shardGlob("records")).toString(),
        (bytes, length, f) -> read.add(describe(Arrays.copyOf(bytes, length))));
    assertThat(read)
        .containsExactlyInAnyOrderElementsOf(
            records().stream().map(TfRecordSinkTest::describe).toList());
  }
}
