package io.mlproof.orchestrator.template;

import io.mlproof.orchestrator.dag.Location;
import java.util.List;
import java.util.stream.Stream;

/**
 * A parsed string with {@code {{ expression }}} parts, checked when the DAG is loaded. Rendering
 * cannot fail: every name was resolved at load time.
 */
public record Template(String source, List<Part> parts, Location location) {

  /** A literal piece of text or an expression. */
  public sealed interface Part {}

  public record Literal(String text) implements Part {}

  /** An expression and where it starts, for messages. */
  public record Expr(Expression expression, Location location) implements Part {}

  public Template {
    parts = List.copyOf(parts);
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
      out.append(part instanceof Literal l ? l.text() : context.value(((Expr) part).expression()));
    }
    return out.toString();
  }
}
