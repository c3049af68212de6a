package io.mlproof.orchestrator.template;

import io.mlproof.orchestrator.core.Location;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the small, strict template grammar of task arguments: literal text with {@code {{
 * expression }}} parts, where an expression is one of
 *
 * <pre>
 *   ds | ds_nodash | prev_ds | next_ds | data_interval_start | data_interval_end | run_root
 *   params.NAME
 *   macros.ds_add(DATE_NAME, [-]N)
 *   task_output('TASK_ID') | prev_task_output('TASK_ID')
 * </pre>
 *
 * Jinja statements and comments ({@code {% %}}, {@code {# #}}) are refused, so that a template
 * means the same here and in an exported Airflow DAG.
 */
public final class TemplateParser {

  /** Every expression form, for error messages. */
  public static final String VALID_FORMS =
      "{{ ds }}, {{ ds_nodash }}, {{ prev_ds }}, {{ next_ds }}, {{ data_interval_start }},"
          + " {{ data_interval_end }}, {{ run_root }}, {{ params.NAME }}, {{ macros.ds_add(ds, N) }},"
          + " {{ task_output('TASK') }}, {{ prev_task_output('TASK') }}";

  private static final Pattern NAME = Pattern.compile("[a-z_]+");
  private static final Pattern RAW = Pattern.compile("(.*?)\\s*\\|\\s*raw");
  private static final Pattern PARAM = Pattern.compile("params\\.([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern DS_ADD =
      Pattern.compile("macros\\.ds_add\\(\\s*([a-z_]+)\\s*,\\s*([+-]?\\d{1,6})\\s*\\)");
  private static final Pattern OUTPUT =
      Pattern.compile("(task_output|prev_task_output)\\(\\s*(?:'([^']*)'|\"([^\"]*)\")\\s*\\)");

  /** A template error at a character offset of the source text. */
  public static final class TemplateException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int offset;

    TemplateException(int offset, String message) {
      super(message);
      this.offset = offset;
    }

    public int offset() {
      return offset;
    }
  }

  private TemplateParser() {}

  /**
   * Parses {@code text}; {@code locate} maps a character offset to its location in the file.
   *
   * @throws TemplateException naming the bad expression and the valid forms
   */
  public static Template parse(String text, IntFunction<Location> locate) throws TemplateException {
    return parse(text, locate, false);
  }

  /**
   * Parses a shell command: values are shell-quoted when rendered, {@code {{ x | raw }}} splices
   * one as it is. An expression inside quotes is refused: quoting it again would change the value,
   * and leaving it unquoted there would let it close the quotes.
   *
   * @throws TemplateException also for an expression inside quotes
   */
  public static Template parseShell(String text, IntFunction<Location> locate)
      throws TemplateException {
    Template template = parse(text, locate, true);
    ShellQuotes quotes = new ShellQuotes();
    int offset = 0;
    for (Template.Part part : template.parts()) {
      if (part instanceof Template.Literal l) {
        quotes.scan(l.text());
        offset += l.text().length();
      } else {
        offset = text.indexOf("{{", offset);
        Template.Expr e = (Template.Expr) part;
        if (!e.raw() && quotes.inside() != 0) {
          throw new TemplateException(
              offset,
              "a templated value inside "
                  + (quotes.inside() == '\'' ? "single" : "double")
                  + " quotes: values in bash commands are shell-quoted for you, so remove the"
                  + " quotes around it (or write {{ ... | raw }} to splice it as it is, at your own risk)");
        }
        offset = text.indexOf("}}", offset) + 2;
      }
    }
    return template;
  }

  /** Tracks whether a position of a bash command is inside single or double quotes. */
  private static final class ShellQuotes {
    private char quote;
    private boolean escaped;

    char inside() {
      return quote;
    }

    void scan(String text) {
      for (char c : text.toCharArray()) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\' && quote != '\'') {
          escaped = true;
        } else if (quote == 0 && (c == '\'' || c == '"')) {
          quote = c;
        } else if (c == quote) {
          quote = 0;
        }
      }
    }
  }

  private static Template parse(String text, IntFunction<Location> locate, boolean shell)
      throws TemplateException {
    for (String refused : List.of("{%", "%}", "{#", "#}")) {
      int at = text.indexOf(refused);
      if (at >= 0) {
        throw new TemplateException(
            at,
            "'"
                + refused
                + "' is not supported: templates only have"
                + " {{ expression }} parts (Jinja statements and comments are not allowed)");
      }
    }
    List<Template.Part> parts = new ArrayList<>();
    int position = 0;
    while (position < text.length()) {
      int open = text.indexOf("{{", position);
      int strayClose = text.indexOf("}}", position);
      if (strayClose >= 0 && (open < 0 || strayClose < open)) {
        throw new TemplateException(strayClose, "'}}' without a matching '{{'");
      }
      if (open < 0) {
        parts.add(new Template.Literal(text.substring(position)));
        break;
      }
      if (open > position) {
        parts.add(new Template.Literal(text.substring(position, open)));
      }
      int close = text.indexOf("}}", open + 2);
      if (close < 0) {
        throw new TemplateException(open, "'{{' without a closing '}}'");
      }
      String body = text.substring(open + 2, close).trim();
      Matcher raw = RAW.matcher(body);
      boolean isRaw = raw.matches();
      if (isRaw && !shell) {
        throw new TemplateException(
            open,
            "'| raw' applies only to bash commands, where values are"
                + " shell-quoted unless raw: remove it here");
      }
      parts.add(
          new Template.Expr(
              expression(isRaw ? raw.group(1).trim() : body, open), locate.apply(open), isRaw));
      position = close + 2;
    }
    return new Template(text, parts, locate.apply(0), shell);
  }

  private static Expression expression(String body, int offset) throws TemplateException {
    if (NAME.matcher(body).matches()) {
      Optional<Variable> variable = Variable.byName(body);
      if (variable.isPresent()) {
        return new Expression.Var(variable.get());
      }
      throw unknown(body, offset);
    }
    Matcher m = PARAM.matcher(body);
    if (m.matches()) {
      return new Expression.Param(m.group(1));
    }
    m = DS_ADD.matcher(body);
    if (m.matches()) {
      Optional<Variable> base = Variable.byName(m.group(1)).filter(Variable::isDateString);
      if (base.isEmpty()) {
        throw new TemplateException(
            offset,
            "macros.ds_add needs a date name as its first argument"
                + " (ds, prev_ds, next_ds, data_interval_start or data_interval_end), not '"
                + m.group(1)
                + "'");
      }
      return new Expression.DsAdd(base.get(), Integer.parseInt(m.group(2)));
    }
    m = OUTPUT.matcher(body);
    if (m.matches()) {
      String task = m.group(2) != null ? m.group(2) : m.group(3);
      return m.group(1).equals("task_output")
          ? new Expression.TaskOutput(task)
          : new Expression.PrevTaskOutput(task);
    }
    throw unknown(body, offset);
  }

  private static TemplateException unknown(String body, int offset) {
    return new TemplateException(
        offset, "unknown template expression '{{ " + body + " }}': use one of " + VALID_FORMS);
  }
}
