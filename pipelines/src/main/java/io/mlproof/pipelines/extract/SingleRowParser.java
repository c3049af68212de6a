package io.mlproof.pipelines.extract;

import com.google.protobuf.Message;
import io.mlproof.pipelines.warehouse.SqlRow;

/** A parser for record types where one result row is one raw row: a record or one dead letter. */
abstract class SingleRowParser<T extends Message> extends ParserBase<T> {
  private static final long serialVersionUID = 1L;

  SingleRowParser(Class<T> type, String... requiredColumns) {
    super(type, requiredColumns);
  }

  @Override
  public final void parse(SqlRow row, ExtractWindow window, Sink<T> sink) {
    sink.rows(1);
    try {
      sink.record(parseOne(row, window));
    } catch (BadRow bad) {
      sink.bad(bad.reason, bad.getMessage(), 1);
    }
  }

  abstract T parseOne(SqlRow row, ExtractWindow window) throws BadRow;
}
