package io.mlproof.orchestrator.task.kinds;

import io.mlproof.orchestrator.dag.TaskContext;
import io.mlproof.orchestrator.template.Expression;
import io.mlproof.orchestrator.template.Template;
import io.mlproof.orchestrator.template.Variable;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.sql.SqlOption;
import io.mlproof.pipelines.sql.SqlTemplate;
import io.mlproof.pipelines.sql.TemplateContext;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Templates in pipeline options marked {@link SqlOption}: rendered by the extract templates'
 * renderer ({@link io.mlproof.pipelines.sql.SqlRenderer}), so a date or param becomes a typed SQL
 * literal and text that would change the query's shape ({@code ' ; --}) is refused, whatever {@code
 * --conf} says. Only names with a SQL literal are allowed there.
 */
final class SqlOptionTemplates {

  private static final Set<Variable> SQL_VARIABLES =
      EnumSet.of(
          Variable.DS,
          Variable.DS_NODASH,
          Variable.DATA_INTERVAL_START,
          Variable.DATA_INTERVAL_END);

  private SqlOptionTemplates() {}

  /** Why {@code template} cannot go into a SQL option, if it cannot. */
  static Optional<String> problem(Template template) {
    char quote = 0;
    for (Template.Part part : template.parts()) {
      if (part instanceof Template.Literal l) {
        for (char c : l.text().toCharArray()) {
          if (quote == 0 && (c == '\'' || c == '"')) {
            quote = c;
          } else if (c == quote) {
            quote = 0;
          }
        }
        continue;
      }
      Expression e = ((Template.Expr) part).expression();
      String shown = shown(e);
      if (quote != 0) {
        return Optional.of(
            shown
                + " is inside a quoted SQL "
                + (quote == '\'' ? "string" : "name")
                + ", where its text would be spliced raw: remove the quotes; in SQL options mlproof renders it as a"
                + " typed SQL literal ('US', 42, DATE '2024-06-03')");
      }
      boolean literal =
          e instanceof Expression.Param
              || e instanceof Expression.Var v && SQL_VARIABLES.contains(v.variable());
      if (!literal) {
        return Optional.of(
            shown
                + " has no SQL literal: SQL options take {{ ds }}, {{ ds_nodash }},"
                + " {{ data_interval_start }}, {{ data_interval_end }} and {{ params.NAME }}");
      }
    }
    return Optional.empty();
  }

  /**
   * The option's SQL for this run. The template's text is mlproof SQL template text already (the
   * names allowed above mean the same to both grammars), so it goes to the SQL renderer as it is.
   *
   * @throws InvalidInputException when a param's value has no safe SQL literal
   */
  static String render(String taskId, String option, Template template, TaskContext context) {
    TemplateContext sql = context.sqlContext();
    return io.mlproof.pipelines.sql.SqlRenderer.render(
            SqlTemplate.inline("option " + option + " of task " + taskId, template.source()),
            sql,
            name -> {
              throw new InvalidInputException("table() is not available in pipeline options");
            })
        .sql();
  }

  private static String shown(Expression e) {
    if (e instanceof Expression.Param p) {
      return "{{ params." + p.name() + " }}";
    } else if (e instanceof Expression.Var v) {
      return "{{ " + v.variable().templateName() + " }}";
    } else if (e instanceof Expression.TaskOutput t) {
      return "{{ task_output('" + t.taskId() + "') }}";
    } else if (e instanceof Expression.PrevTaskOutput t) {
      return "{{ prev_task_output('" + t.taskId() + "') }}";
    }
    return "{{ macros.ds_add(...) }}";
  }
}
