package io.mlproof.orchestrator.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * Where a cluster's task client listens ({@link TaskClientServer#listen}): a loopback port and the
 * secret a connection presents first, in a file only this user can read.
 */
public record TaskClientAddress(int port, String secret) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A fresh secret for {@code port}. */
  static TaskClientAddress create(int port) {
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    return new TaskClientAddress(port, HexFormat.of().formatHex(secret));
  }

  /** Reads what {@link #write} wrote. */
  public static TaskClientAddress read(Path file) throws IOException {
    Properties p = new Properties();
    try (var in = Files.newInputStream(file)) {
      p.load(in);
    }
    String port = p.getProperty("port");
    String secret = p.getProperty("secret");
    if (port == null || secret == null) {
      throw new IOException(file + " has no port or secret");
    }
    try {
      return new TaskClientAddress(Integer.parseInt(port), secret);
    } catch (NumberFormatException e) {
      throw new IOException(file + " has port " + port + ", not a number", e);
    }
  }

  /** Writes it whole (a reader never sees half of it), readable and writable by this user only. */
  void write(Path file) throws IOException {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    Files.createFile(
        partial,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Properties p = new Properties();
    p.setProperty("port", Integer.toString(port));
    p.setProperty("secret", secret);
    try (OutputStream out = Files.newOutputStream(partial)) {
      p.store(out, "mlproof task client: where it listens; its secret");
    }
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The first line a connection sends. */
  String hello() {
    return JSON.createObjectNode().put("op", "hello").put("secret", secret).toString();
  }

  /** Whether {@code line} is this address's {@link #hello()}, compared in constant time. */
  boolean admits(String line) {
    if (line == null) {
      return false;
    }
    try {
      JsonNode hello = JSON.readTree(line);
      return hello != null
          && hello.path("op").asText().equals("hello")
          && MessageDigest.isEqual(
              hello.path("secret").asText().getBytes(StandardCharsets.UTF_8),
              secret.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      return false;
    }
  }
}
