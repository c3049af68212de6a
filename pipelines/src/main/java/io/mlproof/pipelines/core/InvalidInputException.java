package io.mlproof.pipelines.core;

/**
 * Input a user can fix: a bad option, a missing file or table, a malformed template or definition.
 *
 * <p>The message is one line that names the thing and the fix; the CLI prints it without a stack
 * trace and exits with {@link ExitCodes#INVALID_INPUT}.
 */
public class InvalidInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
