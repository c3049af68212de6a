package io.mlproof.pipelines.testing;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.TestPipeline;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.runner.Description;
import org.junit.runners.model.Statement;

/**
 * Beam's {@link TestPipeline} checks that a test which built a pipeline also ran it (and, with
 * {@code enableAbandonedNodeEnforcement(true)}, that every transform it applied was part of a run),
 * but only in its JUnit 4 {@code TestRule}, which JUnit 5 never applies: a forgotten {@code
 * p.run()} passed silently. This extension applies that rule, Beam's own enforcement, around each
 * test method to every {@code TestPipeline} field of the test instance, so such a test fails with
 * {@link TestPipeline.PipelineRunMissingException} or {@link TestPipeline.AbandonedNodeException}.
 *
 * <p>It is registered for every test of this module (and of modules that put its test-jar on their
 * test classpath) by JUnit's extension auto-detection: {@code junit-platform.properties} and {@code
 * META-INF/services/org.junit.jupiter.api.extension.Extension} in the test resources. A test
 * therefore declares its pipeline as a field ({@code final transient TestPipeline p =
 * TestPipeline.create().enableAbandonedNodeEnforcement(true);}), never as a local variable, which
 * no extension can see.
 */
public final class TestPipelineEnforcement implements InvocationInterceptor {

  @Override
  public void interceptTestMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> call,
      ExtensionContext context)
      throws Throwable {
    enforce(invocation, context);
  }

  @Override
  public void interceptTestTemplateMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> call,
      ExtensionContext context)
      throws Throwable {
    enforce(invocation, context);
  }

  private static void enforce(Invocation<Void> invocation, ExtensionContext context)
      throws Throwable {
    Statement statement =
        new Statement() {
          @Override
          public void evaluate() throws Throwable {
            invocation.proceed();
          }
        };
    Method method = context.getRequiredTestMethod();
    Description description =
        Description.createTestDescription(
            context.getRequiredTestClass(), method.getName(), method.getAnnotations());
    for (TestPipeline pipeline : pipelines(context.getRequiredTestInstance())) {
      statement = pipeline.apply(statement, description);
    }
    statement.evaluate();
  }

  /** The TestPipeline fields of a test instance, its superclasses' included. */
  private static List<TestPipeline> pipelines(Object testInstance) throws IllegalAccessException {
    List<TestPipeline> pipelines = new ArrayList<>();
    for (Class<?> type = testInstance.getClass(); type != null; type = type.getSuperclass()) {
      for (Field field : type.getDeclaredFields()) {
        if (TestPipeline.class.isAssignableFrom(field.getType())
            && !Modifier.isStatic(field.getModifiers())) {
          field.setAccessible(true);
          Object value = field.get(testInstance);
          if (value != null) {
            pipelines.add((TestPipeline) value);
          }
        }
      }
    }
    return pipelines;
  }
}
