package io.mlproof.pipelines.extract;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads TFRecord files with plain Java (no Beam), so tests check the written bytes independently of
 * the code that wrote them. Format: 8-byte little-endian length, 4-byte length CRC, payload, 4-byte
 * payload CRC (CRCs are not checked here).
 */
final class TfRecordFiles {

  private TfRecordFiles() {}

  /**
   * Every record in files matching {@code glob} (e.g. {@code records-*.tfrecord}) under {@code
   * dir}.
   */
  static <T extends Message> List<T> read(Path dir, String glob, Parser<T> parser) {
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
    List<T> records = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file :
          files
              .filter(f -> matcher.matches(f.getFileName()))
              .sorted(Comparator.naturalOrder())
              .toList()) {
        ByteBuffer buffer =
            ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
          int length = Math.toIntExact(buffer.getLong());
          buffer.getInt();
          byte[] payload = new byte[length];
          buffer.get(payload);
          buffer.getInt();
          records.add(parser.parseFrom(payload));
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return records;
  }

  /** Names of the files matching {@code glob} under {@code dir}. */
  static List<String> names(Path dir, String glob) {
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(Path::getFileName)
          .filter(matcher::matches)
          .map(Path::toString)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
