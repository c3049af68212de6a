package io.mlproof.pipelines.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * {@link TestPipelineEnforcement}: sample test classes (nested, so Surefire does not run them on
 * their own) are run through the JUnit Platform launcher and their outcomes checked.
 */
class TestPipelineEnforcementTest {

  @Test
  void aTestThatForgetsToRunItsPipelineFails() {
    TestExecutionSummary summary = run(ForgetsToRun.class);
    assertThat(summary.getTestsSucceededCount()).isZero();
    assertThat(summary.getTestsFailedCount()).isEqualTo(1);
    assertThat(summary.getFailures().get(0).getException())
        .isInstanceOf(TestPipeline.PipelineRunMissingException.class);
  }

  @Test
  void aTransformAppliedAfterTheRunFails() {
    TestExecutionSummary summary = run(AbandonsATransform.class);
    assertThat(summary.getTestsFailedCount()).isEqualTo(1);
    assertThat(summary.getFailures().get(0).getException())
        .isInstanceOf(TestPipeline.AbandonedNodeException.class);
  }

  @Test
  void aTestThatRunsItsPipelineOrBuildsNothingPasses() {
    TestExecutionSummary summary = run(RunsOrBuildsNothing.class);
    assertThat(summary.getFailures()).isEmpty();
    assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
  }

  @Test
  void everyTestOfTheModuleIsEnforcedWithoutDeclaringTheExtension() {
    TestExecutionSummary summary = run(ForgetsToRunUndeclared.class);
    assertThat(summary.getTestsFailedCount()).isEqualTo(1);
    assertThat(summary.getFailures().get(0).getException())
        .isInstanceOf(TestPipeline.PipelineRunMissingException.class);
  }

  private static TestExecutionSummary run(Class<?> testClass) {
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create()
        .execute(
            LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(),
            listener);
    TestExecutionSummary summary = listener.getSummary();
    assertThat(summary.getTestsFoundCount()).as(testClass.getSimpleName()).isPositive();
    return summary;
  }

  @ExtendWith(TestPipelineEnforcement.class)
  static class ForgetsToRun {
    final transient TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(true);

    @Test
    void buildsButDoesNotRun() {
      PAssert.that(p.apply(Create.of(1, 2, 3))).containsInAnyOrder(1, 2, 3);
    }
  }

  @ExtendWith(TestPipelineEnforcement.class)
  static class AbandonsATransform {
    final transient TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(true);

    @Test
    void appliesATransformAfterTheRun() {
      PCollection<Integer> numbers = p.apply(Create.of(1, 2, 3));
      p.run().waitUntilFinish();
      numbers.apply(MapElements.into(TypeDescriptors.integers()).via((Integer x) -> x * 2));
    }
  }

  @ExtendWith(TestPipelineEnforcement.class)
  static class RunsOrBuildsNothing {
    final transient TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(true);

    @Test
    void runs() {
      PAssert.that(p.apply(Create.of(1, 2, 3))).containsInAnyOrder(1, 2, 3);
      p.run().waitUntilFinish();
    }

    @Test
    void buildsNothing() {
      assertThat(p.getOptions()).isNotNull();
    }
  }

  /** No @ExtendWith: the extension applies through auto-detection (junit-platform.properties). */
  static class ForgetsToRunUndeclared {
    final transient TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(true);

    @Test
    void buildsButDoesNotRun() {
      p.apply(Create.of(1, 2, 3));
    }
  }
}
