package io.mlproof.pipelines.demo;

import java.nio.file.Path;

/**
 * What {@link DemoWarehouse#create} left at {@code file}: row counts per table, malformed rows
 * included in {@code events} and {@code payments} and also counted on their own.
 */
public record DemoSummary(
    Path file,
    DemoSpec spec,
    Outcome outcome,
    long users,
    long events,
    long payments,
    long badEvents,
    long badPayments) {

  /** Whether the call generated the warehouse or found it already built for the same spec. */
  public enum Outcome {
    BUILT,
    REUSED
  }
}
