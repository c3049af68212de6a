package io.mlproof.orchestrator.template;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlproof.orchestrator.core.ParamType;
import io.mlproof.orchestrator.core.RunDates;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;

/** Everything a template of one run can refer to. */
public record RenderContext(
    String dagId, RunDates dates, String runRoot, Map<String, Object> params) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public RenderContext {
    params = Map.copyOf(params);
  }

  /** The output directory of {@code taskId} in the run at {@code date}: no trailing slash. */
  public static String outputDir(String runRoot, String dagId, LocalDate date, String taskId) {
    String root = runRoot.endsWith("/") ? runRoot.substring(0, runRoot.length() - 1) : runRoot;
    return root + "/" + dagId + "/" + date + "/" + taskId;
  }

  public String outputDir(String taskId) {
    return outputDir(runRoot, dagId, dates.ds(), taskId);
  }

  /**
   * The params as a JSON object ({@code --params}): numbers and booleans typed, dates as strings.
   */
  public String paramsJson() {
    ObjectNode json = JSON.createObjectNode();
    new TreeMap<>(params)
        .forEach(
            (name, value) -> {
              if (value instanceof Long l) {
                json.put(name, l);
              } else if (value instanceof BigDecimal d) {
                json.put(name, d);
              } else if (value instanceof Boolean b) {
                json.put(name, b);
              } else {
                json.put(name, String.valueOf(value));
              }
            });
    return json.toString();
  }

  public String value(Expression expression) {
    // Java 17: no pattern matching in switch yet.
    if (expression instanceof Expression.Var v) {
      return value(v.variable());
    } else if (expression instanceof Expression.Param p) {
      return ParamType.render(params.get(p.name()));
    } else if (expression instanceof Expression.DsAdd a) {
      return date(a.base()).plusDays(a.days()).toString();
    } else if (expression instanceof Expression.TaskOutput t) {
      return outputDir(t.taskId());
    } else {
      return outputDir(
          runRoot, dagId, dates.prevDs(), ((Expression.PrevTaskOutput) expression).taskId());
    }
  }

  private String value(Variable variable) {
    return switch (variable) {
      case DS_NODASH -> dates.ds().format(DateTimeFormatter.BASIC_ISO_DATE);
      case RUN_ROOT -> runRoot;
      default -> date(variable).toString();
    };
  }

  private LocalDate date(Variable variable) {
    return switch (variable) {
      case DS, DATA_INTERVAL_START -> dates.ds();
      case PREV_DS -> dates.prevDs();
      case NEXT_DS, DATA_INTERVAL_END -> dates.nextDs();
      default -> throw new IllegalArgumentException(variable + " is not a date");
    };
  }
}
