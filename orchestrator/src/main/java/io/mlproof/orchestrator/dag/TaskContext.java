package io.mlproof.orchestrator.dag;

import io.mlproof.orchestrator.core.RunDates;
import io.mlproof.orchestrator.core.RunnerSpec;
import io.mlproof.orchestrator.task.PipelineLauncher;
import io.mlproof.orchestrator.task.ProcessWatcher;
import io.mlproof.orchestrator.task.TaskClient;
import io.mlproof.orchestrator.template.RenderContext;
import io.mlproof.orchestrator.template.Template;
import io.mlproof.pipelines.sql.TemplateContext;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * What one try of a task gets from the scheduler.
 *
 * @param deadline when the try must have ended ({@code execution_timeout}); the task kills its
 *     processes and fails when it passes
 * @param logFile where the try's output goes (one file per try)
 * @param dag the DAG being run, and {@code stateFile} where its run's state is: for tasks that look
 *     at the run itself (the report)
 * @param taskClient the run's warm task client, when its pipeline tasks go to a Flink cluster: they
 *     run there as threads instead of forked JVMs
 */
public record TaskContext(
    String dagId,
    String taskId,
    int tryNumber,
    RenderContext render,
    Path logFile,
    Optional<Instant> deadline,
    RunnerSpec runner,
    PipelineLauncher launcher,
    ProcessWatcher watcher,
    Dag dag,
    Path stateFile,
    Optional<TaskClient> taskClient) {

  public String outputDir() {
    return render.outputDir(taskId);
  }

  public String render(Template template) {
    return template.render(render);
  }

  /**
   * The run's dates and params as mlproof's SQL renderer sees them: the interval at midnight UTC.
   */
  public TemplateContext sqlContext() {
    RunDates dates = render.dates();
    return new TemplateContext(
        dates.ds(),
        dates.dataIntervalStart().atStartOfDay(ZoneOffset.UTC).toInstant(),
        dates.dataIntervalEnd().atStartOfDay(ZoneOffset.UTC).toInstant(),
        TemplateContext.parseParams(render.paramsJson()));
  }
}
