package io.mlproof.orchestrator.load;

import io.mlproof.orchestrator.core.Location;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.sql.TemplateContext;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Typed reads of YAML nodes; each bad value is reported at its node, and the read returns empty.
 */
final class Nodes {

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern DURATION_TEXT = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");

  private Nodes() {}

  static Location at(Node node) {
    Optional<Mark> mark = node.getStartMark();
    return mark.map(m -> new Location(m.getName(), m.getLine() + 1, m.getColumn() + 1))
        .orElse(new Location("<unknown>", 1, 1));
  }

  /**
   * The location of character {@code offset} of a scalar's value: exact for plain and quoted
   * single-line scalars without escapes, the scalar's start otherwise.
   */
  static Location at(ScalarNode node, int offset) {
    Location start = at(node);
    String value = node.getValue();
    if (value.contains("\n") || value.contains("\\")) {
      return start;
    }
    ScalarStyle style = node.getScalarStyle();
    if (style == ScalarStyle.PLAIN) {
      return start.plusColumns(offset);
    }
    if (style == ScalarStyle.DOUBLE_QUOTED || style == ScalarStyle.SINGLE_QUOTED) {
      return value.contains("'") && style == ScalarStyle.SINGLE_QUOTED
          ? start
          : start.plusColumns(offset + 1);
    }
    return start;
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
  }

  /** Any non-null scalar, as written. */
  static Optional<String> string(Node node, String what, Problems problems) {
    if (node instanceof ScalarNode scalar && !isNull(node)) {
      return Optional.of(scalar.getValue());
    }
    problems.add(at(node), what + " must be a string");
    return Optional.empty();
  }

  static Optional<Integer> integer(Node node, String what, int min, Problems problems) {
    if (node instanceof ScalarNode scalar && node.getTag().equals(Tag.INT)) {
      try {
        int value = Integer.parseInt(scalar.getValue());
        if (value >= min) {
          return Optional.of(value);
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    problems.add(at(node), what + " must be an integer >= " + min + ", not " + describe(node));
    return Optional.empty();
  }

  static Optional<Boolean> bool(Node node, String what, Problems problems) {
    if (node instanceof ScalarNode scalar && node.getTag().equals(Tag.BOOL)) {
      return Optional.of(Boolean.parseBoolean(scalar.getValue().toLowerCase(Locale.ROOT)));
    }
    problems.add(at(node), what + " must be true or false, not " + describe(node));
    return Optional.empty();
  }

  /** The longest duration a DAG may give (retry delays, timeouts, sensor intervals): a year. */
  static final Duration MAX_DURATION = Duration.ofDays(365);

  /**
   * Seconds as an integer, or text such as {@code 500ms}, {@code 90s}, {@code 5m}, {@code 1h30m},
   * {@code 2d}; at most {@link #MAX_DURATION}, so no arithmetic on it can overflow.
   */
  static Optional<Duration> duration(Node node, String what, Problems problems) {
    Optional<Duration> parsed = parseDuration(node);
    if (parsed.isEmpty()) {
      problems.add(
          at(node),
          what
              + " must be a duration such as 30s, 5m, 1h30m or a number of seconds, not "
              + describe(node));
    } else if (parsed.get().compareTo(MAX_DURATION) > 0) {
      problems.add(
          at(node),
          what + " " + describe(node) + " is longer than the limit of 365d: use a shorter one");
      return Optional.empty();
    }
    return parsed;
  }

  /** A duration as {@link #duration}, and more than zero. */
  static Optional<Duration> positiveDuration(Node node, String what, Problems problems) {
    Optional<Duration> value = duration(node, what, problems);
    if (value.isPresent() && value.get().isZero()) {
      problems.add(at(node), what + " must be more than 0s (leave it out for no limit)");
      return Optional.empty();
    }
    return value;
  }

  /** The duration, or empty when the text is not one or a part is too large to add up. */
  private static Optional<Duration> parseDuration(Node node) {
    if (!(node instanceof ScalarNode scalar)) {
      return Optional.empty();
    }
    try {
      if (node.getTag().equals(Tag.INT)) {
        long seconds = Long.parseLong(scalar.getValue());
        return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
      }
      if (node.getTag().equals(Tag.STR) && DURATION_TEXT.matcher(scalar.getValue()).matches()) {
        Duration total = Duration.ZERO;
        Matcher m = DURATION.matcher(scalar.getValue());
        while (m.find()) {
          long n = Long.parseLong(m.group(1));
          total =
              total.plus(
                  switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                  });
        }
        return Optional.of(total);
      }
    } catch (NumberFormatException | ArithmeticException e) {
      // Too many digits for a long, or a sum past Duration's range: far over the limit.
      return Optional.of(MAX_DURATION.plusDays(1));
    }
    return Optional.empty();
  }

  static Optional<LocalDate> date(Node node, String what, Problems problems) {
    if (node instanceof ScalarNode scalar && node.getTag().equals(Tag.STR)) {
      try {
        LocalDate date = TemplateContext.parseDate(what, scalar.getValue());
        TemplateContext.checkLogicalDate(what, date);
        return Optional.of(date);
      } catch (InvalidInputException e) {
        problems.add(at(node), e.getMessage());
        return Optional.empty();
      }
    }
    problems.add(at(node), what + " must be a date YYYY-MM-DD, not " + describe(node));
    return Optional.empty();
  }

  /** A list of strings; a single string counts as a list of one. */
  static List<ScalarNode> stringList(Node node, String what, Problems problems) {
    List<ScalarNode> items = new ArrayList<>();
    if (node instanceof ScalarNode scalar && !isNull(node)) {
      items.add(scalar);
    } else if (node instanceof SequenceNode sequence) {
      for (Node item : sequence.getValue()) {
        if (item instanceof ScalarNode scalar && !isNull(item)) {
          items.add(scalar);
        } else {
          problems.add(at(item), "items of " + what + " must be strings");
        }
      }
    } else if (!isNull(node)) {
      problems.add(at(node), what + " must be a string or a list of strings");
    }
    return items;
  }

  /** How a node looks in a message: its text for scalars, its shape otherwise. */
  static String describe(Node node) {
    if (node instanceof ScalarNode scalar) {
      return isNull(node) ? "nothing" : "'" + scalar.getValue() + "'";
    }
    return node instanceof SequenceNode ? "a list" : "a mapping";
  }
}
