package io.mlproof.pipelines.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * The whole content of a small file (a manifest, a spec, a model, a blessing) on any Beam file
 * system. Callers turn the {@link IOException} into their own one-line error.
 */
public final class FileBytes {

  private FileBytes() {}

  /** The bytes of the file at {@code path} (a local path or a URI such as gs://...). */
  public static byte[] read(String path) throws IOException {
    return read(FileSystems.matchNewResource(path, false));
  }

  public static byte[] read(ResourceId file) throws IOException {
    try (InputStream in = Channels.newInputStream(FileSystems.open(file))) {
      return in.readAllBytes();
    }
  }
}
