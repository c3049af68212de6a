package io.mlproof.pipelines.train;

/** What a stage prints on standard output. */
public enum ReportFormat {
  /** A table for people, ending with the verdict. */
  TABLE,
  /** The {@code EvaluationResult} as JSON, for other tools. */
  JSON
}
