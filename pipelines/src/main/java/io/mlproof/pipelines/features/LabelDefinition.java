package io.mlproof.pipelines.features;

import java.util.Arrays;
import java.util.Locale;

/**
 * What the label means: the entity is positive ("churned") when it has none of a measure in the
 * label window. The spec writes it in lower case ({@code no_purchase}).
 */
public enum LabelDefinition {
  /** No purchase in the label window. */
  NO_PURCHASE(Measure.PURCHASES),
  /** No session in the label window. */
  NO_SESSION(Measure.SESSIONS);

  private final Measure measure;

  LabelDefinition(Measure measure) {
    this.measure = measure;
  }

  /** The measure whose absence in the label window makes the label true. */
  public Measure measure() {
    return measure;
  }

  /** The spelling used in specs: {@code no_purchase}. */
  public String specName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The definition spelled {@code name} in a spec, or null. */
  public static LabelDefinition fromSpecName(String name) {
    return Arrays.stream(values()).filter(d -> d.specName().equals(name)).findFirst().orElse(null);
  }
}
