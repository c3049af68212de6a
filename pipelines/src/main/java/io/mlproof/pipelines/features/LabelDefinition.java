package io.mlproof.pipelines.features;

import io.mlproof.proto.v1.LabelSpec;
import java.util.Arrays;
import java.util.Optional;

/**
 * What the label means: the entity is positive ("churned") when it has none of a measure in the
 * label window {@code (T, T + horizon]}. Specs and manifests store it as {@code
 * LabelSpec.Definition}, same name.
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

  /** The value stored in {@code LabelSpec.definition}. */
  public LabelSpec.Definition proto() {
    return LabelSpec.Definition.valueOf(name());
  }

  /** The definition a features spec stored, if it is one the features stage computes. */
  public static Optional<LabelDefinition> of(LabelSpec.Definition stored) {
    return Arrays.stream(values()).filter(d -> d.proto() == stored).findFirst();
  }
}
