package io.mlproof.pipelines.features;

import java.util.Arrays;
import java.util.Locale;

/**
 * What the label means: the entity is positive ("churned") when it has none of a measure in the
 * label window {@code (T, T + horizon]}. The spec writes it in lower case ({@code no_purchase}).
 */
public enum LabelDefinition {
  /** No purchase in the label window. */
  NO_PURCHASE(Measure.PURCHASES, Measure.PURCHASES_AT_MIDNIGHT),
  /** No session in the label window. */
  NO_SESSION(Measure.SESSIONS, Measure.SESSIONS_AT_MIDNIGHT);

  private final Measure measure;
  private final Measure atMidnight;

  LabelDefinition(Measure measure, Measure atMidnight) {
    this.measure = measure;
    this.atMidnight = atMidnight;
  }

  /** The measure whose absence in the label window makes the label true. */
  public Measure measure() {
    return measure;
  }

  /**
   * The part of {@link #measure()} at the first instant of a day (the window's open and closed
   * ends).
   */
  public Measure atMidnight() {
    return atMidnight;
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
