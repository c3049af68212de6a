package io.mlproof.pipelines.core;

/** Finds the error a user should see inside wrapped exceptions. */
public final class UserErrors {

  private UserErrors() {}

  /**
   * The first {@link InvalidInputException} or {@link RunFailedException} in {@code e}'s cause
   * chain, or null. Beam wraps worker exceptions (e.g. in {@code PipelineExecutionException}); the
   * mlproof error inside says what to fix.
   */
  public static RuntimeException find(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InvalidInputException || t instanceof RunFailedException) {
        return (RuntimeException) t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
