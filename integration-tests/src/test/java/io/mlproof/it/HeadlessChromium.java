package io.mlproof.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium} (installed by bin/install-test-deps from .ci/debian-packages.txt, never
 * downloaded by a test tool), headless, driven through the DevTools protocol over its WebSocket:
 * open a page, record every request it makes, evaluate script, take a full-page screenshot.
 */
final class HeadlessChromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STEP = Duration.ofSeconds(60);

  private final Process process;
  private final WebSocket socket;
  private final BlockingQueue<JsonNode> messages;
  private final List<JsonNode> events = new ArrayList<>();
  private int nextId;

  private HeadlessChromium(Process process, WebSocket socket, BlockingQueue<JsonNode> messages) {
    this.process = process;
    this.socket = socket;
    this.messages = messages;
  }

  /** Starts Chromium with a fresh profile in {@code profile} and attaches to its blank page. */
  static HeadlessChromium start(Path profile) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--remote-debugging-port=0",
                "--window-size=1280,1000",
                "about:blank")
            .redirectErrorStream(true)
            .redirectOutput(profile.resolveSibling("chromium.log").toFile())
            .start();
    try {
      // Chromium writes the port it picked to DevToolsActivePort in the profile once it listens.
      Path portFile = profile.resolve("DevToolsActivePort");
      Instant deadline = Instant.now().plus(STEP);
      while (!Files.exists(portFile) || Files.readAllLines(portFile).size() < 2) {
        if (!process.isAlive() || Instant.now().isAfter(deadline)) {
          throw new IllegalStateException(
              "chromium did not start (see "
                  + profile.resolveSibling("chromium.log")
                  + "); is the Debian package installed? run bin/install-test-deps");
        }
        process.waitFor(50, TimeUnit.MILLISECONDS);
      }
      int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
      HttpClient http = HttpClient.newHttpClient();
      JsonNode targets =
          JSON.readTree(
              http.send(
                      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      String page = null;
      for (JsonNode t : targets) {
        if (t.path("type").asText().equals("page")) {
          page = t.path("webSocketDebuggerUrl").asText();
        }
      }
      if (page == null) {
        throw new IllegalStateException("chromium has no page target: " + targets);
      }
      BlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
      WebSocket socket =
          http.newWebSocketBuilder().buildAsync(URI.create(page), new Collector(queue)).join();
      return new HeadlessChromium(process, socket, queue);
    } catch (IOException | InterruptedException | RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** Sends a DevTools command and returns its result; events seen meanwhile are kept. */
  JsonNode call(String method, ObjectNode params) throws InterruptedException {
    int id = ++nextId;
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", params == null ? JSON.createObjectNode() : params);
    socket.sendText(message.toString(), true).join();
    while (true) {
      JsonNode m = next(method);
      if (m.path("id").asInt(-1) == id) {
        if (m.has("error")) {
          throw new IllegalStateException(method + " failed: " + m.path("error"));
        }
        return m.path("result");
      }
    }
  }

  /** Waits for the event {@code method}, keeping every event seen on the way. */
  JsonNode await(String method) throws InterruptedException {
    for (JsonNode e : events) {
      if (e.path("method").asText().equals(method)) {
        return e;
      }
    }
    while (true) {
      JsonNode m = next(method);
      if (m.path("method").asText().equals(method)) {
        return m;
      }
    }
  }

  private JsonNode next(String waitingFor) throws InterruptedException {
    JsonNode m = messages.poll(STEP.toSeconds(), TimeUnit.SECONDS);
    if (m == null) {
      throw new IllegalStateException(
          "no answer from chromium within " + STEP.toSeconds() + " s to " + waitingFor);
    }
    if (m.has("method")) {
      events.add(m);
    }
    return m;
  }

  /** Every URL the page asked for since {@code Network.enable}. */
  List<String> requestedUrls() {
    List<String> urls = new ArrayList<>();
    for (JsonNode e : events) {
      if (e.path("method").asText().equals("Network.requestWillBeSent")) {
        urls.add(e.path("params").path("request").path("url").asText());
      }
    }
    return urls;
  }

  /** Evaluates {@code expression} in the page and returns its value (JSON-serializable values). */
  JsonNode evaluate(String expression) throws InterruptedException {
    JsonNode result =
        call(
            "Runtime.evaluate",
            JSON.createObjectNode().put("expression", expression).put("returnByValue", true));
    if (result.has("exceptionDetails")) {
      throw new IllegalStateException("script failed: " + result.path("exceptionDetails"));
    }
    return result.path("result").path("value");
  }

  /** A screenshot of the whole page (not only the window) as PNG. */
  void screenshot(Path png) throws InterruptedException, IOException {
    JsonNode size = call("Page.getLayoutMetrics", null).path("cssContentSize");
    ObjectNode clip =
        JSON.createObjectNode()
            .put("x", 0)
            .put("y", 0)
            .put("width", size.path("width").asDouble())
            .put("height", size.path("height").asDouble())
            .put("scale", 1);
    ObjectNode params =
        JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true);
    params.set("clip", clip);
    Files.write(
        png,
        Base64.getDecoder().decode(call("Page.captureScreenshot", params).path("data").asText()));
  }

  static ObjectNode params() {
    return JSON.createObjectNode();
  }

  @Override
  public void close() {
    try {
      socket.abort();
    } finally {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Collects whole text messages (a message may arrive in several frames). */
  private static final class Collector implements WebSocket.Listener {
    private final BlockingQueue<JsonNode> queue;
    private final StringBuilder partial = new StringBuilder();

    Collector(BlockingQueue<JsonNode> queue) {
      this.queue = queue;
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          queue.add(JSON.readTree(partial.toString()));
        } catch (IOException e) {
          throw new IllegalStateException("unreadable DevTools message: " + partial, e);
        }
        partial.setLength(0);
      }
      socket.request(1);
      return null;
    }
  }
}
