package io.mlproof.pipelines.core;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.mlproof.proto.v1.Manifest;
import io.mlproof.proto.v1.OutputFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * A task's output directory, committed atomically: complete or absent, never half-written, and
 * never someone else's directory.
 *
 * <p>Protocol (works on any Beam file system, local or {@code gs://}, since it needs no directory
 * rename): {@link #begin} refuses a directory that holds anything but an earlier output of the same
 * task (so {@code --output} equal to an input, or to a folder of other files, is an exit-2 error
 * before anything is deleted), takes the directory's lock, then deletes the old {@code
 * manifest.json} first, so an interrupted re-run can never look complete, and everything else the
 * earlier attempt left; the pipeline writes under {@link #staging(String)}; {@link #commit} moves
 * the staged files into the directory and writes {@code manifest.json} last. Readers go through
 * {@link #read}, which refuses a directory without a manifest.
 *
 * <p>The owner file {@value #OWNER} names the pipeline, DAG and task that write the directory and
 * is the lock: an OS file lock on it is held from {@link #begin} to {@link #commit}/{@link #abort}
 * (the OS drops it when the process dies, so a killed try never blocks the next one). Locking needs
 * a local file system; on object stores (gs://) the ownership check still runs, the lock does not
 * (DESIGN.md).
 *
 * <p>Paths are literal: the directory is listed, never matched as a pattern, and a path with a glob
 * character is refused, because Beam's readers take file patterns.
 *
 * <p>Call {@link #begin} once before the pipeline is built; {@link FileSystems} must already know
 * the pipeline's options (Beam registers them when a pipeline is created, or call {@code
 * FileSystems.setDefaultPipelineOptions}).
 */
public final class TaskOutput {
  public static final String MANIFEST = "manifest.json";
  public static final int MANIFEST_SCHEMA_VERSION = 1;

  /** Names the writer of the directory and carries its lock; kept across attempts. */
  public static final String OWNER = ".mlproof-owner.json";

  private static final String STAGING_PREFIX = ".staging-";
  private static final String GLOB_CHARACTERS = "*?[]{}\\";

  /** Local output directories a writer in this process holds. */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  /** Who writes an output directory: a re-run of the same task may replace it, nobody else. */
  public record Owner(String pipeline, String dagId, String taskId) {
    /** Directories written through {@link #begin(String)}, by tests and tools that are no stage. */
    public static final Owner UNNAMED = new Owner("", "", "");

    public static Owner of(String pipeline, TaskOptions options) {
      return new Owner(pipeline, options.getDagId(), options.getTaskId());
    }

    static Owner of(Manifest manifest) {
      return new Owner(manifest.getPipeline(), manifest.getDagId(), manifest.getTaskId());
    }

    Manifest toManifest() {
      return Manifest.newBuilder().setPipeline(pipeline).setDagId(dagId).setTaskId(taskId).build();
    }

    @Override
    public String toString() {
      return "pipeline '" + pipeline + "' (dag " + dagId + ", task " + taskId + ")";
    }
  }

  private final ResourceId directory;
  private final ResourceId stagingDirectory;
  private final String given;
  private final Path lockKey;
  private FileChannel lockChannel;
  private FileLock lock;

  private TaskOutput(
      ResourceId directory,
      ResourceId stagingDirectory,
      String given,
      Path lockKey,
      FileChannel lockChannel,
      FileLock lock) {
    this.directory = directory;
    this.stagingDirectory = stagingDirectory;
    this.given = given;
    this.lockKey = lockKey;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** {@link #begin(String, Owner)} for a directory no stage owns (tests, tools). */
  public static TaskOutput begin(String outputDir) {
    return begin(outputDir, Owner.UNNAMED);
  }

  /**
   * Starts a new attempt at {@code outputDir} for {@code owner}: refuses (exit 2) a directory that
   * is not empty, absent, or an earlier (complete or staged) output of the same owner; refuses
   * (exit 1) while another writer holds the directory; then clears what an earlier attempt left.
   */
  public static TaskOutput begin(String outputDir, Owner owner) {
    requireLiteral(outputDir, "--output");
    ResourceId directory = directory(outputDir);
    ResourceId staging =
        directory.resolve(
            STAGING_PREFIX + UUID.randomUUID(), StandardResolveOptions.RESOLVE_DIRECTORY);
    Path local = localPath(directory);
    try {
      if (local == null) {
        refuseForeign(
            outputDir,
            owner,
            listRemote(directory),
            readRemote(directory, OWNER),
            readRemote(directory, MANIFEST));
        writeString(
            directory.resolve(OWNER, StandardResolveOptions.RESOLVE_FILE),
            toJson(owner.toManifest()));
        clearRemote(directory);
        return new TaskOutput(directory, staging, outputDir, null, null, null);
      }
      return beginLocal(outputDir, local, owner, directory, staging);
    } catch (FileAlreadyExistsException | NotDirectoryException e) {
      throw new InvalidInputException(
          "output "
              + outputDir
              + " is not a directory ("
              + e.getFile()
              + " is a file): choose another --output");
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot prepare output directory "
              + outputDir
              + ": "
              + e
              + " (check the path and its permissions)",
          e);
    }
  }

  /**
   * The local protocol. POSIX drops every lock a process holds on a file when it closes any
   * descriptor of it, so the owner file is read only through the locked channel, and writers in
   * this process are kept apart by {@link #HELD} before a descriptor is opened.
   */
  private static TaskOutput beginLocal(
      String given, Path local, Owner owner, ResourceId directory, ResourceId staging)
      throws IOException {
    Path key = local.toAbsolutePath().normalize();
    if (!HELD.add(key)) {
      throw locked(given);
    }
    FileChannel channel = null;
    FileLock held = null;
    try {
      if (Files.exists(local) && !Files.isDirectory(local)) {
        throw new NotDirectoryException(local.toString());
      }
      List<String> names = Files.exists(local) ? list(local) : List.of();
      if (!names.contains(OWNER)) {
        refuseForeign(
            given,
            owner,
            names,
            null,
            readLocal(local.resolve(MANIFEST))); // before creating anything
      }
      Files.createDirectories(local);
      channel =
          FileChannel.open(
              local.resolve(OWNER),
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      held = channel.tryLock();
      if (held == null) {
        throw locked(given);
      }
      // again, now that no other writer can change it
      refuseForeign(
          given, owner, list(local), readAll(channel), readLocal(local.resolve(MANIFEST)));
      byte[] content = toJson(owner.toManifest()).getBytes(StandardCharsets.UTF_8);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(content), 0);
      channel.force(true);
      Files.deleteIfExists(local.resolve(MANIFEST));
      clearLocal(local);
      Files.createDirectories(localPath(staging));
      return new TaskOutput(directory, staging, given, key, channel, held);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close(); // drops the lock too
      }
      HELD.remove(key);
      throw e;
    }
  }

  private static RunFailedException locked(String given) {
    return new RunFailedException(
        "output "
            + given
            + " is being written by another run (it holds the lock on "
            + OWNER
            + "): wait for that run to end, or choose another --output");
  }

  private static String readAll(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate((int) channel.size());
    while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
      // read until full
    }
    return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
  }

  private static List<String> list(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      entries.forEach(p -> names.add(p.getFileName().toString()));
    }
    return names;
  }

  /**
   * Where the pipeline writes a logical output, e.g. {@code staging("records")} as a file prefix.
   */
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
      FileSystems.rename(
          sources, destinations, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      deleteStaging();
      Manifest complete =
          withHashes(manifest).toBuilder()
              .setSchemaVersion(MANIFEST_SCHEMA_VERSION)
              .setCreatedAtMicros(System.currentTimeMillis() * 1000L)
              .build();
      writeString(
          directory.resolve(MANIFEST, StandardResolveOptions.RESOLVE_FILE), toJson(complete));
      return complete;
    } catch (IOException e) {
      throw new RunFailedException("could not commit output " + given + ": " + e.getMessage(), e);
    } finally {
      release();
    }
  }

  /**
   * Records the SHA-256 of every single-file entry (sharded globs are checked by record count,
   * which costs no second pass over large files): what later stages verify on read.
   */
  private Manifest withHashes(Manifest manifest) throws IOException {
    Manifest.Builder hashed = manifest.toBuilder();
    for (OutputFile.Builder file : hashed.getFilesBuilderList()) {
      if (file.getSha256().isEmpty() && !hasGlob(file.getPath())) {
        ResourceId resource =
            directory.resolve(file.getPath(), StandardResolveOptions.RESOLVE_FILE);
        try {
          file.setSha256(Sha256.hex(FileBytes.read(resource)));
        } catch (FileNotFoundException | NoSuchFileException e) {
          throw new RunFailedException(
              "the manifest of "
                  + given
                  + " lists "
                  + file.getPath()
                  + ", which the stage did not write",
              e);
        }
      }
    }
    return hashed.build();
  }

  /**
   * The bytes of a single-file entry of a complete output, checked against the SHA-256 its manifest
   * records: a file changed after its stage wrote it is exit 2, never used.
   */
  public static byte[] readVerified(String outputDir, String name) {
    Manifest manifest = read(outputDir);
    OutputFile entry = entry(outputDir, manifest, name);
    ResourceId file =
        directory(outputDir).resolve(entry.getPath(), StandardResolveOptions.RESOLVE_FILE);
    byte[] bytes;
    try {
      bytes = FileBytes.read(file);
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot read "
              + file
              + ": "
              + e.getMessage()
              + " (its manifest lists it: re-run the task that wrote "
              + outputDir
              + ")",
          e);
    }
    String actual = Sha256.hex(bytes);
    if (!entry.getSha256().isEmpty() && !entry.getSha256().equals(actual)) {
      throw new InvalidInputException(
          file
              + " has SHA-256 "
              + actual
              + " but the manifest of "
              + outputDir
              + " records "
              + entry.getSha256()
              + ": the file was changed after "
              + describe(manifest)
              + " wrote it; re-run that task");
    }
    return bytes;
  }

  /**
   * {@link #filePattern} of a TFRecord entry after counting its records against the manifest: a
   * file cut short (even at a record boundary) or a missing shard is exit 2 before any work.
   */
  public static String verifiedFilePattern(String outputDir, String name) {
    Manifest manifest = read(outputDir);
    OutputFile entry = entry(outputDir, manifest, name);
    String pattern = filePattern(outputDir, name);
    long[] records = {0};
    try {
      TfRecordFiles.read(pattern, (bytes, length, file) -> records[0]++);
    } catch (RunFailedException e) {
      // The reader's message already names the file, the byte offset and the fix.
      throw new InvalidInputException(e.getMessage(), e);
    }
    if (records[0] != entry.getRecords()) {
      throw new InvalidInputException(
          pattern
              + " holds "
              + records[0]
              + " records but the manifest of "
              + outputDir
              + " records "
              + entry.getRecords()
              + ": files were cut short, lost or added after "
              + describe(manifest)
              + " wrote them; re-run that task");
    }
    return pattern;
  }

  private static OutputFile entry(String outputDir, Manifest manifest, String name) {
    return manifest.getFilesList().stream()
        .filter(f -> f.getName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "output "
                        + outputDir
                        + " has no '"
                        + name
                        + "' files (it holds "
                        + manifest.getFilesList().stream().map(OutputFile::getName).toList()
                        + "): point this task at the right upstream output"));
  }

  private static String describe(Manifest manifest) {
    // Ad hoc runs (mlproof run ...) have no task id.
    return manifest.getTaskId().isEmpty()
        ? "the " + manifest.getPipeline() + " run"
        : "task " + manifest.getTaskId() + " (pipeline " + manifest.getPipeline() + ")";
  }

  private static boolean hasGlob(String path) {
    return path.chars().anyMatch(c -> GLOB_CHARACTERS.indexOf(c) >= 0);
  }

  /** Drops the staged files of a failed attempt; the directory stays without a manifest. */
  public void abort() {
    try {
      deleteStaging();
    } catch (IOException e) {
      // The directory has no manifest either way, so it cannot be mistaken for a complete output.
      throw new RunFailedException(
          "could not clean staging " + stagingDirectory + ": " + e.getMessage(), e);
    } finally {
      release();
    }
  }

  /** The manifest of a complete output, or a one-line error saying the output is not there. */
  public static Manifest read(String outputDir) {
    requireLiteral(outputDir, "an input directory");
    ResourceId manifest =
        directory(outputDir).resolve(MANIFEST, StandardResolveOptions.RESOLVE_FILE);
    try {
      Manifest.Builder builder = Manifest.newBuilder();
      JsonFormat.parser()
          .merge(new String(FileBytes.read(manifest), StandardCharsets.UTF_8), builder);
      return builder.build();
    } catch (FileNotFoundException | NoSuchFileException e) {
      throw new InvalidInputException(
          "no complete output at "
              + outputDir
              + " ("
              + MANIFEST
              + " is missing): run the task that produces it first");
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidInputException(
          "corrupt manifest "
              + manifest
              + ": "
              + e.getMessage()
              + " (re-run the task that wrote it)");
    } catch (IOException e) {
      throw new InvalidInputException("cannot read " + manifest + ": " + e.getMessage());
    }
  }

  /** Absolute file pattern of one logical output named in a complete output's manifest. */
  public static String filePattern(String outputDir, String name) {
    OutputFile entry = entry(outputDir, read(outputDir), name);
    return directory(outputDir)
        .resolve(entry.getPath(), StandardResolveOptions.RESOLVE_FILE)
        .toString();
  }

  public static String toJson(Manifest manifest) {
    try {
      return JsonFormat.printer().print(manifest) + "\n";
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Refuses a path with a glob character: Beam reads outputs through file patterns, where {@code
   * out/keep*} would also read (and formerly delete) {@code out/keepA}.
   */
  static void requireLiteral(String path, String what) {
    for (char c : path.toCharArray()) {
      if (GLOB_CHARACTERS.indexOf(c) >= 0) {
        throw new InvalidInputException(
            what
                + " "
                + path
                + " contains the glob character '"
                + c
                + "': mlproof paths are literal and may not contain any of "
                + GLOB_CHARACTERS
                + "; rename the directory");
      }
    }
  }

  /**
   * The ownership rule, on the directory's entry names and its owner file and manifest (null when
   * absent): empty, or the owner file (else, for outputs written before owner files, the manifest)
   * names {@code owner}.
   */
  private static void refuseForeign(
      String given, Owner owner, List<String> names, String ownerJson, String manifestJson) {
    List<String> content = names.stream().filter(n -> !n.equals(OWNER)).sorted().toList();
    if (content.isEmpty()) {
      return;
    }
    String recorded = ownerJson != null && !ownerJson.isBlank() ? ownerJson : manifestJson;
    Owner previous = recorded == null ? null : Owner.of(parseManifest(recorded));
    if (owner.equals(previous)) {
      return;
    }
    String shown =
        content.size() <= 3
            ? String.join(", ", content)
            : String.join(", ", content.subList(0, 3)) + " and " + (content.size() - 3) + " more";
    throw new InvalidInputException(
        "output "
            + given
            + " is not empty ("
            + shown
            + ") and "
            + (previous == null ? "is not an mlproof output" : "is the output of " + previous)
            + ", not of "
            + owner
            + ": nothing was deleted; choose an empty or new --output, or remove the directory"
            + " yourself");
  }

  private static Manifest parseManifest(String json) {
    try {
      Manifest.Builder builder = Manifest.newBuilder();
      JsonFormat.parser().ignoringUnknownFields().merge(json, builder);
      return builder.build();
    } catch (InvalidProtocolBufferException e) {
      return Manifest.getDefaultInstance(); // unreadable: owned by nobody, so refused unless empty
    }
  }

  private void release() {
    try {
      if (lock != null) {
        lock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException e) {
      // Closing the channel drops the lock; nothing is left to undo.
    } finally {
      if (lockKey != null) {
        HELD.remove(lockKey);
      }
      lock = null;
      lockChannel = null;
    }
  }

  private void deleteStaging() throws IOException {
    Path local = localPath(stagingDirectory);
    if (local != null) {
      deleteRecursively(local);
      return;
    }
    List<ResourceId> files = new ArrayList<>();
    for (MatchResult.Metadata m : match(stagingDirectory.toString() + "**")) {
      files.add(m.resourceId());
    }
    FileSystems.delete(files, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  /** Deletes every entry of {@code dir} but the owner file, by listing it (literal names only). */
  private static void clearLocal(Path dir) throws IOException {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      stream.forEach(entries::add);
    }
    for (Path entry : entries) {
      if (!entry.getFileName().toString().equals(OWNER)) {
        deleteRecursively(entry);
      }
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String readLocal(Path file) throws IOException {
    return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
  }

  private static String readRemote(ResourceId dir, String name) throws IOException {
    try {
      return new String(
          FileBytes.read(dir.resolve(name, StandardResolveOptions.RESOLVE_FILE)),
          StandardCharsets.UTF_8);
    } catch (FileNotFoundException | NoSuchFileException e) {
      return null;
    }
  }

  private static List<String> listRemote(ResourceId dir) throws IOException {
    List<String> names = new ArrayList<>();
    for (MatchResult.Metadata m : match(dir.toString() + "**")) {
      names.add(m.resourceId().toString().substring(dir.toString().length()));
    }
    return names;
  }

  private static void clearRemote(ResourceId dir) throws IOException {
    FileSystems.delete(
        List.of(dir.resolve(MANIFEST, StandardResolveOptions.RESOLVE_FILE)),
        MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    List<ResourceId> files = new ArrayList<>();
    for (MatchResult.Metadata m : match(dir.toString() + "**")) {
      if (!m.resourceId().getFilename().equals(OWNER)) {
        files.add(m.resourceId());
      }
    }
    FileSystems.delete(files, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  /** The local path of a directory on Beam's local file system, or null (gs:// and the like). */
  private static Path localPath(ResourceId resource) {
    return "file".equals(resource.getScheme()) ? Path.of(resource.toString()) : null;
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

  private static void writeString(ResourceId file, String content) throws IOException {
    try (WritableByteChannel channel = FileSystems.create(file, MimeTypes.TEXT)) {
      channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
    }
  }
}
