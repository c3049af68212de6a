package io.mlproof.orchestrator.airflow;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Python source for literals, for the generated Airflow DAG files. */
public final class Py {

  private Py() {}

  /** A double-quoted Python string literal. */
  public static String str(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  public static String bool(boolean value) {
    return value ? "True" : "False";
  }

  public static String timedelta(Duration duration) {
    return duration.toMillis() % 1000 == 0
        ? "timedelta(seconds=" + duration.toSeconds() + ")"
        : "timedelta(milliseconds=" + duration.toMillis() + ")";
  }

  /** A dict with string keys; {@code values} are Python source. One entry per line. */
  public static String dict(Map<String, String> values, String indent) {
    if (values.isEmpty()) {
      return "{}";
    }
    return values.entrySet().stream()
        .map(e -> indent + "    " + str(e.getKey()) + ": " + e.getValue() + ",\n")
        .collect(Collectors.joining("", "{\n", indent + "}"));
  }

  public static String list(List<String> values) {
    return values.stream().collect(Collectors.joining(", ", "[", "]"));
  }

  /** Python source for the concatenation of {@code parts} (each Python source). */
  public static String concat(List<String> parts) {
    return parts.isEmpty() ? "\"\"" : String.join(" + ", parts);
  }
}
