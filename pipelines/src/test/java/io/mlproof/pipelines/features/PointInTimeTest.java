package io.mlproof.pipelines.features;

import static io.mlproof.pipelines.features.Histories.d;
import static org.assertj.core.api.Assertions.assertThat;

import io.mlproof.proto.v1.EntityDay;
import io.mlproof.proto.v1.Example;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;

/**
 * The point-in-time guarantee: adding, changing or deleting any record at or after a cutoff T
 * changes no feature at T and no entity's eligibility at T. Random histories (seeded), random
 * edits, two stacked cutoffs; a control edit before T shows the comparison can fail.
 */
class PointInTimeTest {
  final transient TestPipeline p = Histories.pipeline();
  private static final int T = d("2024-04-01");
  private static final List<String> CUTOFFS = List.of("2024-03-18", "2024-04-01");
  private static final TupleTag<Example> BEFORE = new TupleTag<>() {};
  private static final TupleTag<Example> AFTER = new TupleTag<>() {};

  @Test
  void recordsAtOrAfterTheCutoffChangeNoFeature() {
    Random random = new Random(20240401);
    List<EntityDay> base = history(random);
    List<EntityDay> edited = new ArrayList<>();
    for (EntityDay row : base) {
      if (row.getDay() < T) {
        edited.add(row);
      } else if (random.nextInt(4)
          > 0) { // a quarter of the later rows are deleted, the rest changed
        edited.add(
            row.toBuilder()
                .setSessions(random.nextInt(9))
                .setPurchases(random.nextInt(3))
                .setRevenueCents(random.nextInt(90_000))
                .setRefunds(random.nextInt(2))
                .setSignupDay(T - 400 + random.nextInt(500))
                .build());
      }
    }
    for (int i = 0; i < 200; i++) { // new rows at or after T, for known and unknown entities
      String entity = random.nextBoolean() ? "u" + random.nextInt(80) : "new" + random.nextInt(30);
      edited.add(randomRow(random, entity, T + random.nextInt(60), T - 300 + random.nextInt(400)));
    }
    PCollection<String> mismatches = compare(base, edited, "Later");
    PAssert.that(mismatches).empty();
    Histories.runAndCount(p);
  }

  /** Control: the same comparison sees an edit on the day before the cutoff. */
  @Test
  void theComparisonDetectsAnEditBeforeTheCutoff() {
    List<EntityDay> base = history(new Random(7));
    List<EntityDay> edited = new ArrayList<>(base);
    edited.add(
        Histories.row("u1", "2024-03-31", "2023-06-01").setPurchases(1).setSessions(1).build());
    PAssert.that(compare(base, edited, "Earlier"))
        .satisfies(
            found -> {
              assertThat(found).anyMatch(m -> m.startsWith("u1@2024-04-01 features differ"));
              assertThat(found).noneMatch(m -> m.contains("@2024-03-18"));
              return null;
            });
    Histories.runAndCount(p);
  }

  /**
   * Both histories through ComputeExamples; one line per (entity, cutoff) whose example differs.
   */
  private PCollection<String> compare(List<EntityDay> base, List<EntityDay> edited, String name) {
    FeaturePlan plan = Histories.plan(LabelDefinition.NO_PURCHASE, 30);
    PCollection<Example> before =
        Histories.compute(p, name + "Base", base, plan, CUTOFFS, false)
            .get(ComputeExamples.EXAMPLES);
    PCollection<Example> after =
        Histories.compute(p, name + "Edited", edited, plan, CUTOFFS, false)
            .get(ComputeExamples.EXAMPLES);
    PAssert.that(name + "EnoughExamples", before)
        .satisfies(
            examples -> {
              assertThat(examples).as("a vacuous comparison proves nothing").hasSizeGreaterThan(40);
              return null;
            });
    return KeyedPCollectionTuple.of(BEFORE, key(before, name + "KeyBase"))
        .and(AFTER, key(after, name + "KeyEdited"))
        .apply(name + "Join", CoGroupByKey.create())
        .apply(name + "Differences", ParDo.of(new DifferencesFn()));
  }

  /** One line per key whose examples differ in eligibility or in any feature. */
  private static final class DifferencesFn extends DoFn<KV<String, CoGbkResult>, String> {
    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> joined, OutputReceiver<String> out) {
      List<Example> b = new ArrayList<>();
      joined.getValue().getAll(BEFORE).forEach(b::add);
      List<Example> a = new ArrayList<>();
      joined.getValue().getAll(AFTER).forEach(a::add);
      if (b.size() != a.size()) {
        out.output(
            joined.getKey() + " eligible before: " + !b.isEmpty() + ", after: " + !a.isEmpty());
      } else if (!sameFeatures(b.get(0), a.get(0))) {
        out.output(
            joined.getKey()
                + " features differ: "
                + b.get(0).getFeaturesList()
                + " vs "
                + a.get(0).getFeaturesList());
      }
    }
  }

  private static PCollection<KV<String, Example>> key(PCollection<Example> examples, String name) {
    return examples.apply(
        name,
        WithKeys.of((Example e) -> e.getEntityId() + "@" + LocalDate.ofEpochDay(e.getCutoffDay()))
            .withKeyType(TypeDescriptors.strings()));
  }

  private static boolean sameFeatures(Example x, Example y) {
    if (x.getFeaturesCount() != y.getFeaturesCount()) {
      return false;
    }
    for (int i = 0; i < x.getFeaturesCount(); i++) {
      if (Double.compare(x.getFeatures(i), y.getFeatures(i)) != 0) {
        return false;
      }
    }
    return true;
  }

  /** 80 entities, activity on random days from T - 120 to T + 45, signups before and after T. */
  private static List<EntityDay> history(Random random) {
    List<EntityDay> rows = new ArrayList<>();
    for (int u = 0; u < 80; u++) {
      int signup = T - 200 + random.nextInt(215);
      for (int day = Math.max(signup - 3, T - 120); day < T + 45; day++) {
        if (random.nextInt(6) == 0) {
          rows.add(randomRow(random, "u" + u, day, signup));
        }
      }
    }
    return rows;
  }

  private static EntityDay randomRow(Random random, String entity, int day, int signup) {
    return EntityDay.newBuilder()
        .setEntityId(entity)
        .setDay(day)
        .setSignupDay(signup)
        .setSessions(random.nextInt(4))
        .setPageViews(random.nextInt(10))
        .setAddToCarts(random.nextInt(3))
        .setPurchases(random.nextInt(2))
        .setRevenueCents(random.nextInt(20_000))
        .setFailedPayments(random.nextInt(5) == 0 ? 1 : 0)
        .setRefunds(random.nextInt(8) == 0 ? 1 : 0)
        .build();
  }
}
