package io.mlproof.orchestrator.task;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlproof.pipelines.sql.SqlOption;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * The options of a Beam options interface, inherited groups included, found the way Beam finds
 * them: a getter with a matching setter is an option named after the property.
 */
public final class OptionCatalog {
  private static final ObjectMapper ENUM_JSON = new ObjectMapper();

  /**
   * One option.
   *
   * @param requiredGroups empty when optional; {@code [""]} when required on its own; otherwise the
   *     {@code @Validation.Required(groups=...)} groups, of which one option each must be set
   * @param sql the getter is marked {@link SqlOption}: the value is SQL text
   */
  public record Option(
      String name,
      Class<?> type,
      String description,
      Set<String> requiredGroups,
      Class<?> declaringInterface,
      boolean sql) {}

  private final Class<? extends PipelineOptions> optionsClass;
  private final Map<String, Option> options;

  private OptionCatalog(
      Class<? extends PipelineOptions> optionsClass, Map<String, Option> options) {
    this.optionsClass = optionsClass;
    this.options = Collections.unmodifiableMap(options);
  }

  public static OptionCatalog of(Class<? extends PipelineOptions> optionsClass) {
    Map<String, Option> options = new TreeMap<>();
    for (Method getter : optionsClass.getMethods()) {
      Optional<String> property = propertyOf(getter);
      if (property.isEmpty() || !hasSetter(optionsClass, getter, property.get())) {
        continue;
      }
      Description description = getter.getAnnotation(Description.class);
      Validation.Required required = getter.getAnnotation(Validation.Required.class);
      // Beam counts a default as satisfying @Validation.Required (PipelineOptions' own
      // stableUniqueNames is both); so does this catalog.
      boolean hasDefault =
          Arrays.stream(getter.getAnnotations())
              .anyMatch(
                  a ->
                      a.annotationType().getEnclosingClass()
                          == org.apache.beam.sdk.options.Default.class);
      Set<String> groups =
          required == null || hasDefault
              ? Set.of()
              : required.groups().length == 0 ? Set.of("") : Set.of(required.groups());
      options.putIfAbsent(
          property.get(),
          new Option(
              property.get(),
              getter.getReturnType(),
              description == null ? "" : description.value(),
              groups,
              getter.getDeclaringClass(),
              getter.isAnnotationPresent(SqlOption.class)));
    }
    return new OptionCatalog(optionsClass, options);
  }

  private static Optional<String> propertyOf(Method m) {
    if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.isDefault()) {
      return Optional.empty();
    }
    String name = m.getName();
    String rest;
    if (name.startsWith("get") && name.length() > 3) {
      rest = name.substring(3);
    } else if (name.startsWith("is")
        && name.length() > 2
        && (m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class)) {
      rest = name.substring(2);
    } else {
      return Optional.empty();
    }
    return Optional.of(rest.substring(0, 1).toLowerCase(Locale.ROOT) + rest.substring(1));
  }

  private static boolean hasSetter(Class<?> type, Method getter, String property) {
    String setter =
        "set" + property.substring(0, 1).toUpperCase(Locale.ROOT) + property.substring(1);
    return Arrays.stream(type.getMethods())
        .anyMatch(
            m ->
                m.getName().equals(setter)
                    && m.getParameterCount() == 1
                    && m.getParameterTypes()[0] == getter.getReturnType());
  }

  public Class<? extends PipelineOptions> optionsClass() {
    return optionsClass;
  }

  public Map<String, Option> options() {
    return options;
  }

  public Optional<Option> option(String name) {
    return Optional.ofNullable(options.get(name));
  }

  /** Options a user would set: everything but Beam's generic ones and {@code excluded}. */
  public List<String> ownOptionNames(Set<String> excluded) {
    return options.values().stream()
        .filter(o -> !o.declaringInterface().getName().startsWith("org.apache.beam.sdk.options."))
        .map(Option::name)
        .filter(n -> !excluded.contains(n))
        .toList();
  }

  /**
   * Why {@code literal} is not a valid value of {@code option}, if it is not: booleans, integers,
   * numbers and enum constants are checked; strings, lists and classes are taken as they are.
   */
  public static Optional<String> checkValue(Option option, String literal) {
    Class<?> type = option.type();
    if (type == boolean.class || type == Boolean.class) {
      return literal.equals("true") || literal.equals("false")
          ? Optional.empty()
          : Optional.of("must be true or false");
    }
    if (type == int.class
        || type == Integer.class
        || type == long.class
        || type == Long.class
        || type == short.class
        || type == Short.class) {
      try {
        long value = Long.parseLong(literal);
        if ((type == int.class || type == Integer.class)
            && (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)) {
          return Optional.of("is out of range for an integer");
        }
        return Optional.empty();
      } catch (NumberFormatException e) {
        return Optional.of("must be an integer");
      }
    }
    if (type == double.class
        || type == Double.class
        || type == float.class
        || type == Float.class) {
      try {
        Double.parseDouble(literal);
        return Optional.empty();
      } catch (NumberFormatException e) {
        return Optional.of("must be a number");
      }
    }
    if (type.isEnum()) {
      // Beam reads option values through Jackson, so an enum accepts what its Jackson mapping
      // accepts: the constant name, or the name its @JsonValue/@JsonCreator define.
      List<String> accepted =
          Arrays.stream(type.getEnumConstants())
              .map(c -> ENUM_JSON.convertValue(c, String.class))
              .toList();
      try {
        ENUM_JSON.convertValue(literal, type);
        return Optional.empty();
      } catch (RuntimeException e) {
        return Optional.of("must be one of " + String.join(", ", accepted));
      }
    }
    return Optional.empty();
  }
}
