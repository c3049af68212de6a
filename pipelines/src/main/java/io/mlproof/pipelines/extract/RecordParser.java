package io.mlproof.pipelines.extract;

import com.google.protobuf.Message;
import io.mlproof.pipelines.warehouse.SqlRow;
import java.io.Serializable;
import java.util.List;

/** Turns warehouse rows of one record type into records, and bad rows into dead letters. */
interface RecordParser<T extends Message> extends Serializable {

  Class<T> type();

  /** Columns the query must return for this record type. */
  List<String> requiredColumns();

  /** Parses one result row, telling {@code sink} what it became. */
  void parse(SqlRow row, ExtractWindow window, Sink<T> sink);

  /** Where a parser's outcomes go; the pipeline counts each. */
  interface Sink<T> {
    /** The result row stands for {@code count} rows of the raw tables (1 unless pre-aggregated). */
    void rows(long count);

    void record(T record);

    /** {@code count} raw rows were bad for {@code reason}; one dead letter keeps the result row. */
    void bad(BadRowReason reason, String why, long count);
  }
}
