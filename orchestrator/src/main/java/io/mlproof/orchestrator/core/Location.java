package io.mlproof.orchestrator.core;

/**
 * Where a definition came from: file, 1-based line and column, as editors and compilers print it.
 */
public record Location(String file, int line, int column) {

  public static Location of(String file) {
    return new Location(file, 1, 1);
  }

  public Location plusColumns(int columns) {
    return new Location(file, line, column + columns);
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
