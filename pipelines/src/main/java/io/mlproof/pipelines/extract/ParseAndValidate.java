package io.mlproof.pipelines.extract;

import com.google.protobuf.Message;
import io.mlproof.pipelines.warehouse.ResultRow;
import io.mlproof.proto.v1.DeadLetter;
import java.util.EnumMap;
import java.util.Map;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Warehouse rows into records of one type, and every bad row into a {@link DeadLetter} that keeps
 * the row's columns as text and the reason. Counters (the run's contract, asserted in tests):
 * {@value #ROWS} raw rows seen, {@value #RECORDS} records out, {@value #BAD_ROWS} raw rows
 * rejected, {@value #DEAD_LETTERS} dead letters out, and {@code bad_<reason>} per {@link
 * BadRowReason}.
 *
 * <p>{@link #serialized} emits each record as its serialized bytes ({@link ByteArrayCoder}) for the
 * TFRecord write: the record is coded once, where it is built, instead of by a {@link ProtoCoder}
 * between every pair of operators and again for the file (docs/bench/extract.md).
 */
public final class ParseAndValidate<T extends Message>
    extends PTransform<PCollection<ResultRow>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  public static final String ROWS = "rows";
  public static final String RECORDS = "records";
  public static final String BAD_ROWS = "bad_rows";
  public static final String DEAD_LETTERS = "dead_letters";

  private final RecordType recordType;
  private final RecordParser<T> parser;
  private final ExtractWindow window;
  private final boolean serialized;
  private final TupleTag<T> records = new TupleTag<>("records");
  private final TupleTag<byte[]> recordBytes = new TupleTag<>("record_bytes");
  private final TupleTag<DeadLetter> deadLetters = new TupleTag<>("dead_letter");

  private ParseAndValidate(
      RecordType recordType, RecordParser<T> parser, ExtractWindow window, boolean serialized) {
    this.recordType = recordType;
    this.parser = parser;
    this.window = window;
    this.serialized = serialized;
  }

  /**
   * Parses rows as {@code recordType}, checking times against {@code window}; records under {@link
   * #recordsTag}.
   */
  static ParseAndValidate<? extends Message> of(RecordType recordType, ExtractWindow window) {
    return create(recordType, recordType.parser(), window, false);
  }

  /** As {@link #of}, but the records leave as serialized bytes under {@link #recordBytesTag}. */
  static ParseAndValidate<? extends Message> serialized(
      RecordType recordType, ExtractWindow window) {
    return create(recordType, recordType.parser(), window, true);
  }

  private static <T extends Message> ParseAndValidate<T> create(
      RecordType recordType, RecordParser<T> parser, ExtractWindow window, boolean serialized) {
    return new ParseAndValidate<>(recordType, parser, window, serialized);
  }

  /** The records, unless {@link #serialized}. */
  public TupleTag<T> recordsTag() {
    return records;
  }

  /** The records' serialized bytes, if {@link #serialized}. */
  public TupleTag<byte[]> recordBytesTag() {
    return recordBytes;
  }

  public TupleTag<DeadLetter> deadLettersTag() {
    return deadLetters;
  }

  public Class<T> recordClass() {
    return parser.type();
  }

  @Override
  public PCollectionTuple expand(PCollection<ResultRow> rows) {
    // One DoFn emits either kind; the tag's element type is the one the coder below is set for.
    @SuppressWarnings("unchecked")
    TupleTag<Object> recordsOut = (TupleTag<Object>) (serialized ? recordBytes : records);
    PCollectionTuple parsed =
        rows.apply(
            "Parse",
            ParDo.of(
                    new ParseFn<>(
                        recordType.source(), parser, window, recordsOut, serialized, deadLetters))
                .withOutputTags(recordsOut, TupleTagList.of(deadLetters)));
    if (serialized) {
      parsed.get(recordBytes).setCoder(ByteArrayCoder.of());
    } else {
      parsed.get(records).setCoder(ProtoCoder.of(parser.type()));
    }
    parsed.get(deadLetters).setCoder(ProtoCoder.of(DeadLetter.class));
    return parsed;
  }

  private static final class ParseFn<T extends Message> extends DoFn<ResultRow, Object> {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final RecordParser<T> parser;
    private final ExtractWindow window;
    private final TupleTag<Object> records;
    private final boolean serialized;
    private final TupleTag<DeadLetter> deadLetters;
    private final Counter rows = Metrics.counter(ParseAndValidate.class, ROWS);
    private final Counter recordCount = Metrics.counter(ParseAndValidate.class, RECORDS);
    private final Counter badRows = Metrics.counter(ParseAndValidate.class, BAD_ROWS);
    private final Counter deadLetterCount = Metrics.counter(ParseAndValidate.class, DEAD_LETTERS);
    private transient Map<BadRowReason, Counter> byReason;

    ParseFn(
        String source,
        RecordParser<T> parser,
        ExtractWindow window,
        TupleTag<Object> records,
        boolean serialized,
        TupleTag<DeadLetter> deadLetters) {
      this.source = source;
      this.parser = parser;
      this.window = window;
      this.records = records;
      this.serialized = serialized;
      this.deadLetters = deadLetters;
    }

    @Setup
    public void setup() {
      byReason = new EnumMap<>(BadRowReason.class);
      for (BadRowReason reason : BadRowReason.values()) {
        byReason.put(reason, Metrics.counter(ParseAndValidate.class, reason.counterName()));
      }
    }

    @ProcessElement
    public void process(@Element ResultRow row, MultiOutputReceiver out) {
      parser.parse(
          row,
          window,
          new RecordParser.Sink<T>() {
            @Override
            public void rows(long count) {
              rows.inc(count);
            }

            @Override
            public void record(T record) {
              recordCount.inc();
              out.get(records).output(serialized ? record.toByteArray() : record);
            }

            @Override
            public void bad(BadRowReason reason, String why, long count) {
              badRows.inc(count);
              byReason.get(reason).inc(count);
              deadLetterCount.inc();
              out.get(deadLetters)
                  .output(
                      DeadLetter.newBuilder()
                          .setSource(source)
                          .setReasonCode(reason.proto())
                          .setReason(why)
                          .putAllOriginal(row.toText())
                          .build());
            }
          });
    }
  }
}
