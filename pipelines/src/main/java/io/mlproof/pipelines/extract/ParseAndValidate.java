package io.mlproof.pipelines.extract;

import com.google.protobuf.Message;
import io.mlproof.pipelines.warehouse.ResultRow;
import io.mlproof.proto.v1.DeadLetter;
import java.util.EnumMap;
import java.util.Map;
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
 * <p>{@link #serialized} emits records and dead letters as one output of serialized {@link
 * Outcome}s for the file write: each is coded once, where it is built, instead of by a {@link
 * ProtoCoder} between every pair of operators and again for the file, and a single output lets
 * Flink chain the parse step with the write (docs/bench/extract.md).
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
  private final TupleTag<Outcome> outcomes = new TupleTag<>("outcomes");
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

  /**
   * As {@link #of}, but records and dead letters leave serialized, together, under {@link
   * #outcomesTag}.
   */
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

  /** Records and dead letters, serialized, if {@link #serialized}: the only output then. */
  TupleTag<Outcome> outcomesTag() {
    return outcomes;
  }

  public TupleTag<DeadLetter> deadLettersTag() {
    return deadLetters;
  }

  public Class<T> recordClass() {
    return parser.type();
  }

  @Override
  public PCollectionTuple expand(PCollection<ResultRow> rows) {
    // One DoFn emits either kind; the tags' element types are the ones the coders below are set
    // for. Serialized, both kinds go to the one output.
    @SuppressWarnings("unchecked")
    TupleTag<Object> recordsOut = (TupleTag<Object>) (serialized ? outcomes : records);
    @SuppressWarnings("unchecked")
    TupleTag<Object> deadOut = (TupleTag<Object>) (serialized ? outcomes : deadLetters);
    ParseFn<T> fn =
        new ParseFn<>(recordType.source(), parser, window, recordsOut, deadOut, serialized);
    if (serialized) {
      PCollectionTuple parsed =
          rows.apply("Parse", ParDo.of(fn).withOutputTags(recordsOut, TupleTagList.empty()));
      parsed.get(outcomes).setCoder(Outcome.Coder.of());
      return parsed;
    }
    PCollectionTuple parsed =
        rows.apply("Parse", ParDo.of(fn).withOutputTags(recordsOut, TupleTagList.of(deadLetters)));
    parsed.get(records).setCoder(ProtoCoder.of(parser.type()));
    parsed.get(deadLetters).setCoder(ProtoCoder.of(DeadLetter.class));
    return parsed;
  }

  private static final class ParseFn<T extends Message> extends DoFn<ResultRow, Object> {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final RecordParser<T> parser;
    private final ExtractWindow window;
    private final TupleTag<Object> records;
    private final TupleTag<Object> deadLetters;
    private final boolean serialized;
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
        TupleTag<Object> deadLetters,
        boolean serialized) {
      this.source = source;
      this.parser = parser;
      this.window = window;
      this.records = records;
      this.deadLetters = deadLetters;
      this.serialized = serialized;
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
              out.get(records).output(serialized ? Outcome.record(record.toByteArray()) : record);
            }

            @Override
            public void bad(BadRowReason reason, String why, long count) {
              badRows.inc(count);
              byReason.get(reason).inc(count);
              deadLetterCount.inc();
              DeadLetter deadLetter =
                  DeadLetter.newBuilder()
                      .setSource(source)
                      .setReasonCode(reason.proto())
                      .setReason(why)
                      .putAllOriginal(row.toText())
                      .build();
              out.get(deadLetters)
                  .output(serialized ? Outcome.deadLetter(deadLetter.toByteArray()) : deadLetter);
            }
          });
    }
  }
}
