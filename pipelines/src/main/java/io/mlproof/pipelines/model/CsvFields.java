package io.mlproof.pipelines.model;

/** One CSV field as RFC 4180 writes it: quoted only when it holds a comma, quote or line break. */
public final class CsvFields {
  private CsvFields() {}

  public static String field(String s) {
    return s.matches("[^,\"\\r\\n]*") ? s : '"' + s.replace("\"", "\"\"") + '"';
  }
}
