package io.mlproof.orchestrator.template;

import io.mlproof.orchestrator.core.Location;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A parsed string with {@code {{ expression }}} parts, checked when the DAG is loaded. Rendering
 * cannot fail: every name was resolved at load time.
 *
 * @param shell a shell command: every value is shell-quoted (as Python's {@code shlex.quote})
 *     unless its expression ends in {@code | raw}, so a param cannot add shell syntax
 */
public record Template(String source, List<Part> parts, Location location, boolean shell) {

  /** A literal piece of text or an expression. */
  public sealed interface Part {}

  public record Literal(String text) implements Part {}

  /**
   * An expression and where it starts, for messages.
   *
   * @param raw written with {@code | raw}: spliced into a shell command as it is
   */
  public record Expr(Expression expression, Location location, boolean raw) implements Part {}

  /** Characters Python's {@code shlex.quote} leaves unquoted (ASCII {@code \w@%+=:,./-}). */
  private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

  public Template {
    parts = List.copyOf(parts);
  }

  public Template(String source, List<Part> parts, Location location) {
    this(source, parts, location, false);
  }

  /** A template without expressions. */
  public static Template literal(String text, Location location) {
    return new Template(text, text.isEmpty() ? List.of() : List.of(new Literal(text)), location);
  }

  public boolean isLiteral() {
    return expressions().findAny().isEmpty();
  }

  public Stream<Expr> expressions() {
    return parts.stream().filter(Expr.class::isInstance).map(Expr.class::cast);
  }

  public String render(RenderContext context) {
    StringBuilder out = new StringBuilder();
    for (Part part : parts) {
      if (part instanceof Literal l) {
        out.append(l.text());
      } else {
        Expr e = (Expr) part;
        String value = context.value(e.expression());
        out.append(shell && !e.raw() ? shellQuote(value) : value);
      }
    }
    return out.toString();
  }

  /**
   * One shell word holding {@code value} exactly: Python's {@code shlex.quote}, so exports agree.
   */
  public static String shellQuote(String value) {
    if (value.isEmpty()) {
      return "''";
    }
    if (SHELL_SAFE.matcher(value).matches()) {
      return value;
    }
    return "'" + value.replace("'", "'\"'\"'") + "'";
  }
}
