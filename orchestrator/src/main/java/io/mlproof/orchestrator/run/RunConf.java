package io.mlproof.orchestrator.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mlproof.orchestrator.dag.Dag;
import io.mlproof.orchestrator.dag.ParamSpec;
import io.mlproof.orchestrator.load.Suggest;
import io.mlproof.pipelines.core.InvalidInputException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A run's params: the DAG's defaults overridden by {@code --conf JSON}, every value type-checked.
 */
public final class RunConf {
  // Duplicate keys are refused (Jackson keeps the last one silently); decimals stay exact, so
  // 1e400 is a number out of range, not Infinity.
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  private RunConf() {}

  /**
   * @param confJson a JSON object of param values, or null/blank for none
   * @throws InvalidInputException for malformed JSON, undeclared params, wrong types, missing
   *     values
   */
  public static Map<String, Object> resolve(Dag dag, String confJson) {
    Map<String, Object> values = new LinkedHashMap<>();
    dag.params().forEach((name, spec) -> spec.defaultValue().ifPresent(v -> values.put(name, v)));
    if (confJson != null && !confJson.isBlank()) {
      JsonNode conf;
      try {
        conf = JSON.readTree(confJson);
      } catch (JsonProcessingException e) {
        if (e.getOriginalMessage().startsWith("Duplicate field")) {
          throw new InvalidInputException(
              "--conf sets a param twice (" + e.getOriginalMessage() + "): give each param once");
        }
        throw new InvalidInputException(
            "--conf is not valid JSON: "
                + e.getOriginalMessage()
                + " (pass an object, e.g. --conf '{\"lookback_days\": 90}')");
      }
      if (conf == null || !conf.isObject()) {
        throw new InvalidInputException(
            "--conf must be a JSON object, e.g. --conf '{\"lookback_days\": 90}'");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = conf.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        ParamSpec spec = dag.params().get(field.getKey());
        if (spec == null) {
          throw new InvalidInputException(
              "--conf sets unknown param '"
                  + field.getKey()
                  + "'"
                  + Suggest.didYouMean(field.getKey(), dag.params().keySet())
                  + ": "
                  + dag.dagId()
                  + (dag.params().isEmpty()
                      ? " declares no params"
                      : " declares " + String.join(", ", dag.params().keySet())));
        }
        Optional<Object> value = spec.type().fromJson(field.getValue());
        if (spec.type().outOfRange(field.getValue())) {
          throw new InvalidInputException(
              "--conf param '"
                  + field.getKey()
                  + "' is outside the range of "
                  + spec.type().yamlName()
                  + " params ("
                  + spec.type().range()
                  + "): pass a value in it");
        }
        if (value.isEmpty()) {
          throw new InvalidInputException(
              "--conf param '"
                  + field.getKey()
                  + "' must be of type "
                  + spec.type().yamlName()
                  + ", not "
                  + field.getValue());
        }
        values.put(field.getKey(), value.get());
      }
    }
    dag.params().values().stream()
        .filter(spec -> !values.containsKey(spec.name()))
        .findFirst()
        .ifPresent(
            spec -> {
              throw new InvalidInputException(
                  "param '"
                      + spec.name()
                      + "' of "
                      + dag.dagId()
                      + " has no default:"
                      + " pass it with --conf '{\""
                      + spec.name()
                      + "\": ...}' (type "
                      + spec.type().yamlName()
                      + ")");
            });
    return values;
  }
}
