package io.mlproof.pipelines.extract;

import com.google.protobuf.Message;
import java.util.List;

/** What every record parser declares: the proto it produces and the columns it reads. */
abstract class ParserBase<T extends Message> implements RecordParser<T> {
  private static final long serialVersionUID = 1L;
  private final Class<T> type;
  private final List<String> requiredColumns;

  ParserBase(Class<T> type, String... requiredColumns) {
    this.type = type;
    this.requiredColumns = List.of(requiredColumns);
  }

  @Override
  public final Class<T> type() {
    return type;
  }

  @Override
  public final List<String> requiredColumns() {
    return requiredColumns;
  }
}
