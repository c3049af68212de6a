package io.mlproof.pipelines.features;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Merges an entity's partial window accumulators (one per bundle that saw the entity, from {@link
 * FoldEntityDays}) into one. Associative and commutative, so runners lift it into partial combines
 * before the shuffle: a few longs per entity and cutoff cross the network, never a user's history.
 */
final class MergeWindowsFn
    extends Combine.CombineFn<WindowAccumulator, WindowAccumulator, WindowAccumulator> {
  private static final long serialVersionUID = 1L;
  private final WindowFolder folder;

  MergeWindowsFn(WindowFolder folder) {
    this.folder = folder;
  }

  @Override
  public WindowAccumulator createAccumulator() {
    return folder.create();
  }

  @Override
  public WindowAccumulator addInput(WindowAccumulator acc, WindowAccumulator partial) {
    folder.merge(acc, partial);
    return acc;
  }

  @Override
  public WindowAccumulator mergeAccumulators(Iterable<WindowAccumulator> accumulators) {
    WindowAccumulator merged = createAccumulator();
    for (WindowAccumulator a : accumulators) {
      folder.merge(merged, a);
    }
    return merged;
  }

  @Override
  public WindowAccumulator extractOutput(WindowAccumulator acc) {
    return acc;
  }

  @Override
  public Coder<WindowAccumulator> getAccumulatorCoder(
      CoderRegistry registry, Coder<WindowAccumulator> input) {
    return WindowAccumulator.Coder.of();
  }

  @Override
  public Coder<WindowAccumulator> getDefaultOutputCoder(
      CoderRegistry registry, Coder<WindowAccumulator> input) {
    return WindowAccumulator.Coder.of();
  }
}
