package io.mlproof.pipelines.core;

/**
 * A run that started on valid input and failed on the data: too many bad rows, a validation gate,
 * an unblessed model. The CLI prints the one-line message and exits with {@link
 * ExitCodes#RUN_FAILED}.
 */
public class RunFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RunFailedException(String message) {
    super(message);
  }

  public RunFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
