package io.mlproof.pipelines.core;

/** The exit codes schedulers script against; part of mlproof's contract. */
public final class ExitCodes {
  public static final int SUCCESS = 0;
  public static final int RUN_FAILED = 1;
  public static final int INVALID_INPUT = 2;

  private ExitCodes() {}
}
