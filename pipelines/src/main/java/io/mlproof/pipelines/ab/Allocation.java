package io.mlproof.pipelines.ab;

import io.mlproof.pipelines.core.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A planned split of the entities over arms, control first: {@code 50/50}, {@code 90/10}, {@code
 * 34/33/33} (arms named control, treatment, treatment_2, ...) or named, {@code
 * control:80,email:10,discount:10}. Weights need not sum to 100: they are shares.
 */
public final class Allocation {
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");

  private Allocation() {}

  /** The arms of {@code text}, control first, each with its share (summing to 1). */
  public static List<AbAnalyzer.Arm> parse(String text) {
    String trimmed = text.trim();
    boolean named = trimmed.contains(":");
    String[] parts = trimmed.split(named ? "," : "/", -1);
    List<String> names = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i].trim();
      String name = i == 0 ? "control" : i == 1 ? "treatment" : "treatment_" + i;
      String weight = part;
      if (named) {
        int colon = part.indexOf(':');
        if (colon < 0) {
          throw invalid(text, "'" + part + "' has no ':'");
        }
        name = part.substring(0, colon).trim();
        weight = part.substring(colon + 1).trim();
        if (!NAME.matcher(name).matches()) {
          throw invalid(text, "arm name '" + name + "' must be a letter then letters, digits or _");
        }
        if (names.contains(name)) {
          throw invalid(text, "arm '" + name + "' appears twice");
        }
      }
      names.add(name);
      weights.add(weight(text, weight));
    }
    if (parts.length < 2) {
      throw invalid(text, "an experiment needs at least two arms");
    }
    double sum = weights.stream().mapToDouble(Double::doubleValue).sum();
    List<AbAnalyzer.Arm> arms = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      arms.add(new AbAnalyzer.Arm(names.get(i), weights.get(i) / sum));
    }
    return List.copyOf(arms);
  }

  /** The same shares renamed (the names of {@code --arm} in {@code ab summary}). */
  public static List<AbAnalyzer.Arm> rename(List<AbAnalyzer.Arm> arms, List<String> names) {
    if (arms.size() != names.size()) {
      throw new InvalidInputException(
          "the allocation has "
              + arms.size()
              + " arms but "
              + names.size()
              + " were given: give one weight per arm, in the same order");
    }
    List<AbAnalyzer.Arm> renamed = new ArrayList<>();
    for (int i = 0; i < arms.size(); i++) {
      renamed.add(new AbAnalyzer.Arm(names.get(i), arms.get(i).share()));
    }
    return List.copyOf(renamed);
  }

  /** Equal shares for these arms. */
  public static List<AbAnalyzer.Arm> equal(List<String> names) {
    return names.stream().map(n -> new AbAnalyzer.Arm(n, 1.0 / names.size())).toList();
  }

  /** The canonical text of {@code arms}: {@code name:share,...}. */
  public static String format(List<AbAnalyzer.Arm> arms) {
    return String.join(",", arms.stream().map(a -> a.name() + ":" + a.share()).toList());
  }

  private static double weight(String text, String weight) {
    double value;
    try {
      value = Double.parseDouble(weight);
    } catch (NumberFormatException e) {
      throw invalid(text, "'" + weight + "' is not a number");
    }
    if (!(value > 0) || Double.isInfinite(value)) {
      throw invalid(text, "weight " + weight + " must be a positive number");
    }
    return value;
  }

  private static InvalidInputException invalid(String text, String why) {
    return new InvalidInputException(
        "allocation '"
            + text
            + "': "
            + why
            + " (write it as 50/50, 90/10 or control:80,email:10,discount:10)");
  }
}
