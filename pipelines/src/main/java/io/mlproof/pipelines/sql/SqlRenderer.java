package io.mlproof.pipelines.sql;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlproof.pipelines.core.InvalidInputException;
import java.math.BigDecimal;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders SQL templates written with Airflow's names, and nothing more.
 *
 * <p>The grammar, inside {@code {{ }}} (spaces optional):
 *
 * <ul>
 *   <li>{@code ds} - the logical date, {@code DATE '2024-01-07'}
 *   <li>{@code ds_nodash} - {@code '20240107'}
 *   <li>{@code data_interval_start}, {@code data_interval_end} - {@code TIMESTAMP '2024-01-07 00:00:00'} (UTC)
 *   <li>{@code params.<name>} - a DAG param as a typed literal: integers and decimals from parsed
 *       numbers, {@code TRUE}/{@code FALSE}, {@code DATE}/{@code TIMESTAMP} for strings shaped
 *       like dates or ISO times (rejected if they do not parse), other strings only if they match
 *       {@link SqlLiterals#SAFE_STRING}
 *   <li>{@code table('<name>')} - the warehouse's quoted, qualified reference to a table
 *   <li>{@code partition('<column>')} - a predicate that selects one part of a read split by that
 *       column: {@code TRUE} in the rendered query, which a partitioned DuckDB read replaces with
 *       its part's filter (see {@link RenderedSql#withPartitionFilter}); every marker of a
 *       template must name the same column
 * </ul>
 *
 * <p>Everything else is an error naming the template, the line and the fix: unknown names,
 * filters, unclosed {@code {{}, Jinja statements {@code {% %}} and comments {@code {# #}}.
 *
 * <p>Why hand-written rather than a Jinja engine: a general engine lets a template evaluate
 * arbitrary expressions (attribute access, filters, loops, string concatenation into SQL), so the
 * safety of a query would depend on every template's author. Here the only things that reach the
 * SQL text are literals this class formats from parsed values and identifiers that matched a
 * strict pattern; no untrusted text is ever concatenated into a query.
 */
public final class SqlRenderer {

  private static final Pattern VARIABLE = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*");
  private static final Pattern PARAM = Pattern.compile("\\s*params\\.([A-Za-z_][A-Za-z0-9_]*)\\s*");
  private static final Pattern TABLE =
      Pattern.compile("\\s*table\\(\\s*(?:'([^']*)'|\"([^\"]*)\")\\s*\\)\\s*");
  private static final Pattern PARTITION =
      Pattern.compile("\\s*partition\\(\\s*(?:'([^']*)'|\"([^\"]*)\")\\s*\\)\\s*");
  private static final Pattern PARTITION_CALL =
      Pattern.compile("\\s*partition\\s*\\(.*", Pattern.DOTALL);
  private static final String GRAMMAR =
      "use {{ ds }}, {{ ds_nodash }}, {{ data_interval_start }}, {{ data_interval_end }},"
          + " {{ params.<name> }}, {{ table('<name>') }} or {{ partition('<column>') }}";
  private static final DateTimeFormatter NODASH = DateTimeFormatter.BASIC_ISO_DATE;

  private SqlRenderer() {}

  /** Renders {@code template} for {@code context}, naming tables the way {@code tables} does. */
  public static RenderedSql render(
      SqlTemplate template, TemplateContext context, TableReferences tables) {
    return new Render(template, context, tables).run();
  }

  /** One rendering pass; holds the position for error messages. */
  private static final class Render {
    private final SqlTemplate template;
    private final TemplateContext context;
    private final TableReferences tables;
    private final Set<String> usedTables = new LinkedHashSet<>();
    private final List<RenderedSql.PartitionMarker> markers = new ArrayList<>();
    private final String text;

    Render(SqlTemplate template, TemplateContext context, TableReferences tables) {
      this.template = template;
      this.context = context;
      this.tables = tables;
      this.text = template.text();
    }

    RenderedSql run() {
      rejectStatementsAndComments();
      StringBuilder sql = new StringBuilder(text.length() + 64);
      int from = 0;
      while (true) {
        int open = text.indexOf("{{", from);
        if (open < 0) {
          sql.append(text, from, text.length());
          break;
        }
        int close = text.indexOf("}}", open + 2);
        int nested = text.indexOf("{{", open + 2);
        if (close < 0 || (nested >= 0 && nested < close)) {
          throw error(open, "'{{' is not closed", "close it with '}}'");
        }
        sql.append(text, from, open);
        sql.append(evaluateInRange(text.substring(open + 2, close), open, sql.length()));
        from = close + 2;
      }
      return new RenderedSql(template.name(), sql.toString(), usedTables, markers);
    }

    private void rejectStatementsAndComments() {
      for (String opener : new String[] {"{%", "{#"}) {
        int at = text.indexOf(opener);
        if (at >= 0) {
          throw error(
              at,
              "Jinja statements and comments ('" + opener + "') are not supported",
              "use plain SQL (and -- comments); only {{ }} substitutions are rendered");
        }
      }
    }

    private String evaluateInRange(String expression, int at, int renderedAt) {
      try {
        return evaluate(expression, at, renderedAt);
      } catch (IllegalArgumentException e) {
        throw error(
            at,
            e.getMessage(),
            "use dates between 0001-01-01 and 9999-12-31 at microsecond precision");
      }
    }

    /** {@code renderedAt}: where the value goes in the rendered SQL (a marker's offset). */
    private String evaluate(String expression, int at, int renderedAt) {
      Matcher partition = PARTITION.matcher(expression);
      if (partition.matches()) {
        String column = partition.group(1) != null ? partition.group(1) : partition.group(2);
        return partition(column, at, renderedAt);
      }
      if (PARTITION_CALL.matcher(expression).matches()) {
        throw error(
            at,
            "unsupported expression {{" + SqlIdentifiers.Shown.of(expression) + "}}",
            "name one column in quotes, e.g. {{ partition('user_id') }}");
      }
      Matcher table = TABLE.matcher(expression);
      if (table.matches()) {
        String name = table.group(1) != null ? table.group(1) : table.group(2);
        if (!SqlIdentifiers.isName(name)) {
          throw error(
              at,
              "table name '" + SqlIdentifiers.Shown.of(name) + "' is not a plain identifier",
              "use letters, digits and underscores, e.g. {{ table('events') }}");
        }
        usedTables.add(name);
        return tables.tableReference(name);
      }
      Matcher param = PARAM.matcher(expression);
      if (param.matches()) {
        return param(param.group(1), at);
      }
      Matcher variable = VARIABLE.matcher(expression);
      if (variable.matches()) {
        return variable(variable.group(1), at);
      }
      throw error(
          at, "unsupported expression {{" + SqlIdentifiers.Shown.of(expression) + "}}", GRAMMAR);
    }

    /**
     * A marker renders as the whole query's {@code TRUE}; its column and offset are kept so a
     * partitioned read can put its filter there. One column per template: a part must hold whole
     * output rows, so every scan is split by the same key.
     */
    private String partition(String column, int at, int renderedAt) {
      if (!SqlIdentifiers.isName(column)) {
        throw error(
            at,
            "partition column '" + SqlIdentifiers.Shown.of(column) + "' is not a plain identifier",
            "use letters, digits and underscores, e.g. {{ partition('user_id') }}");
      }
      if (!markers.isEmpty() && !markers.get(0).column().equals(column)) {
        throw error(
            at,
            "partition('"
                + column
                + "') names another column than the template's first marker, partition('"
                + markers.get(0).column()
                + "')",
            "split every scan by the same column, the key of the rows the query returns");
      }
      markers.add(new RenderedSql.PartitionMarker(column, renderedAt));
      return RenderedSql.WHOLE;
    }

    private String variable(String name, int at) {
      return switch (name) {
        case "ds" -> SqlLiterals.date(context.logicalDate());
        case "ds_nodash" -> "'" + NODASH.format(context.logicalDate()) + "'";
        case "data_interval_start" -> SqlLiterals.timestamp(context.dataIntervalStart());
        case "data_interval_end" -> SqlLiterals.timestamp(context.dataIntervalEnd());
        default -> throw error(at, "unknown name '" + name + "'", GRAMMAR);
      };
    }

    private String param(String name, int at) {
      JsonNode value = context.params().get(name);
      if (value == null) {
        throw error(
            at,
            "params." + name + " is not set",
            "pass it in --params, e.g. --params={\"" + name + "\":...}");
      }
      String fix = "pass a number, true/false, a date (YYYY-MM-DD), an ISO time or plain text";
      if (value.isBoolean()) {
        return SqlLiterals.bool(value.booleanValue());
      }
      if (value.isIntegralNumber()) {
        if (!value.canConvertToLong()) {
          throw error(at, "params." + name + " is outside the 64-bit integer range", fix);
        }
        return SqlLiterals.integer(value.longValue());
      }
      if (value.isNumber()) {
        BigDecimal decimal = value.decimalValue();
        return SqlLiterals.decimal(decimal);
      }
      if (value.isTextual()) {
        return textParam(name, value.textValue(), at, fix);
      }
      throw error(
          at,
          "params."
              + name
              + " is "
              + value.getNodeType().name().toLowerCase()
              + ", which has no SQL literal here",
          fix);
    }

    private String textParam(String name, String value, int at, String fix) {
      if (TemplateContext.DATE_SHAPE.matcher(value).matches()) {
        return SqlLiterals.date(
            parsed(() -> TemplateContext.parseDate("params." + name, value), at));
      }
      if (TemplateContext.INSTANT_SHAPE.matcher(value).matches()) {
        return SqlLiterals.timestamp(
            parsed(() -> TemplateContext.parseInstant("params." + name, value), at));
      }
      Optional<String> literal = SqlLiterals.string(value);
      return literal.orElseThrow(
          () ->
              error(
                  at,
                  "params."
                      + name
                      + " '"
                      + SqlIdentifiers.Shown.of(value)
                      + "' has characters not allowed in SQL text (quotes, backslashes, semicolons, newlines)",
                  "use letters, digits, spaces and _ . , : @ / % + - only"));
    }

    private <T> T parsed(java.util.function.Supplier<T> parse, int at) {
      try {
        return parse.get();
      } catch (InvalidInputException e) {
        throw new InvalidInputException(where(at) + ": " + e.getMessage(), e);
      }
    }

    private InvalidInputException error(int at, String problem, String fix) {
      return new InvalidInputException(where(at) + ": " + problem + ": " + fix);
    }

    private String where(int at) {
      int line = 1;
      for (int i = 0; i < at; i++) {
        if (text.charAt(i) == '\n') {
          line++;
        }
      }
      return "template " + template.name() + " line " + line;
    }
  }
}
