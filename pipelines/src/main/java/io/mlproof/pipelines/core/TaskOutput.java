package io.mlproof.pipelines.core;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.mlproof.proto.v1.Manifest;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * A task's output directory, committed atomically: complete or absent, never half-written.
 *
 * <p>Protocol (works on any Beam file system, local or {@code gs://}, since it needs no directory
 * rename): {@link #begin} first deletes the old {@code manifest.json}, so an interrupted re-run can
 * never look complete; the pipeline writes under {@link #staging(String)}; {@link #commit} moves
 * the staged files into the directory and writes {@code manifest.json} last. Readers go through
 * {@link #read}, which refuses a directory without a manifest.
 *
 * <p>Call {@link #begin} once before the pipeline is built; {@link FileSystems} must already know
 * the pipeline's options (Beam registers them when a pipeline is created, or call
 * {@code FileSystems.setDefaultPipelineOptions}).
 */
public final class TaskOutput {
  public static final String MANIFEST = "manifest.json";
  public static final int MANIFEST_SCHEMA_VERSION = 1;
  private static final String STAGING_PREFIX = ".staging-";

  private final ResourceId directory;
  private final ResourceId stagingDirectory;

  private TaskOutput(ResourceId directory, ResourceId stagingDirectory) {
    this.directory = directory;
    this.stagingDirectory = stagingDirectory;
  }

  /** Starts a new attempt at {@code outputDir}, invalidating whatever a previous attempt left. */
  public static TaskOutput begin(String outputDir) {
    ResourceId directory = directory(outputDir);
    try {
      deleteIfExists(directory.resolve(MANIFEST, StandardResolveOptions.RESOLVE_FILE));
      deleteMatching(directory, "*");
      deleteMatching(directory, STAGING_PREFIX + "*/*");
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot prepare output directory " + outputDir + ": " + e.getMessage()
              + " (check the path and its permissions)", e);
    }
    ResourceId staging =
        directory.resolve(STAGING_PREFIX + UUID.randomUUID(), StandardResolveOptions.RESOLVE_DIRECTORY);
    return new TaskOutput(directory, staging);
  }

  /** Where the pipeline writes a logical output, e.g. {@code staging("records")} as a file prefix. */
  public String staging(String name) {
    return stagingDirectory.resolve(name, StandardResolveOptions.RESOLVE_FILE).toString();
  }

  /** The committed directory. */
  public String directory() {
    return directory.toString();
  }

  /**
   * Moves every staged file into the directory and writes the manifest last. The manifest's file
   * paths are relative to the directory.
   */
  public Manifest commit(Manifest manifest) {
    try {
      List<ResourceId> sources = new ArrayList<>();
      List<ResourceId> destinations = new ArrayList<>();
      for (MatchResult.Metadata file : match(stagingDirectory.toString() + "*")) {
        ResourceId source = file.resourceId();
        sources.add(source);
        destinations.add(
            directory.resolve(source.getFilename(), StandardResolveOptions.RESOLVE_FILE));
      }
      FileSystems.rename(sources, destinations, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      deleteIfExists(stagingDirectory);
      Manifest complete =
          manifest.toBuilder()
              .setSchemaVersion(MANIFEST_SCHEMA_VERSION)
              .setCreatedAtMicros(System.currentTimeMillis() * 1000L)
              .build();
      writeString(directory.resolve(MANIFEST, StandardResolveOptions.RESOLVE_FILE), toJson(complete));
      return complete;
    } catch (IOException e) {
      throw new RunFailedException("could not commit output " + directory + ": " + e.getMessage(), e);
    }
  }

  /** Drops the staged files of a failed attempt; the directory stays without a manifest. */
  public void abort() {
    try {
      deleteMatching(stagingDirectory, "*");
      deleteIfExists(stagingDirectory);
    } catch (IOException e) {
      // The directory has no manifest either way, so it cannot be mistaken for a complete output.
      throw new RunFailedException("could not clean staging " + stagingDirectory + ": " + e.getMessage(), e);
    }
  }

  /** The manifest of a complete output, or a one-line error saying the output is not there. */
  public static Manifest read(String outputDir) {
    ResourceId manifest = directory(outputDir).resolve(MANIFEST, StandardResolveOptions.RESOLVE_FILE);
    try {
      Manifest.Builder builder = Manifest.newBuilder();
      JsonFormat.parser().merge(new String(FileBytes.read(manifest), StandardCharsets.UTF_8), builder);
      return builder.build();
    } catch (FileNotFoundException e) {
      throw new InvalidInputException(
          "no complete output at " + outputDir + " (" + MANIFEST
              + " is missing): run the task that produces it first");
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidInputException(
          "corrupt manifest " + manifest + ": " + e.getMessage() + " (re-run the task that wrote it)");
    } catch (IOException e) {
      throw new InvalidInputException("cannot read " + manifest + ": " + e.getMessage());
    }
  }

  /** Absolute file pattern of one logical output named in a complete output's manifest. */
  public static String filePattern(String outputDir, String name) {
    Manifest manifest = read(outputDir);
    return manifest.getFilesList().stream()
        .filter(f -> f.getName().equals(name))
        .findFirst()
        .map(f -> directory(outputDir).resolve(f.getPath(), StandardResolveOptions.RESOLVE_FILE).toString())
        .orElseThrow(
            () -> new InvalidInputException(
                "output " + outputDir + " has no '" + name + "' files (it holds "
                    + manifest.getFilesList().stream().map(f -> f.getName()).toList()
                    + "): point this task at the right upstream output"));
  }

  public static String toJson(Manifest manifest) {
    try {
      return JsonFormat.printer().print(manifest) + "\n";
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ResourceId directory(String outputDir) {
    String normalized = outputDir.endsWith("/") ? outputDir : outputDir + "/";
    return FileSystems.matchNewResource(normalized, true);
  }

  private static List<MatchResult.Metadata> match(String pattern) throws IOException {
    MatchResult result = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
    if (result.status() == MatchResult.Status.NOT_FOUND) {
      return List.of();
    }
    return result.metadata();
  }

  private static void deleteMatching(ResourceId dir, String glob) throws IOException {
    List<ResourceId> files = new ArrayList<>();
    for (MatchResult.Metadata m : match(dir.toString() + glob)) {
      if (!m.resourceId().isDirectory()) {
        files.add(m.resourceId());
      }
    }
    FileSystems.delete(files, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  private static void deleteIfExists(ResourceId resource) throws IOException {
    FileSystems.delete(List.of(resource), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  private static void writeString(ResourceId file, String content) throws IOException {
    try (WritableByteChannel channel = FileSystems.create(file, MimeTypes.TEXT)) {
      channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
    }
  }
}
