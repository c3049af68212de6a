package io.mlproof.pipelines.warehouse;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.gcp.bigquery.SchemaAndRecord;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * Copies rows of the BigQuery Storage Read API (Avro records) into {@link ResultRow}s: INT64 as
 * long, FLOAT64 as double, NUMERIC as decimal bytes, TIMESTAMP as timestamp-micros, DATE as date.
 */
final class AvroRows {

  private AvroRows() {}

  /** BigQueryIO's parse function: Avro record to {@link ResultRow}, then the user's mapper. */
  static final class Parser<T> implements SerializableFunction<SchemaAndRecord, T> {
    private static final long serialVersionUID = 1L;
    private final SqlRowMapper<T> mapper;
    private transient Schema schema;
    private transient ResultRow.Columns columns;

    Parser(SqlRowMapper<T> mapper) {
      this.mapper = mapper;
    }

    @Override
    public T apply(SchemaAndRecord input) {
      GenericRecord record = input.getRecord();
      if (record.getSchema() != schema) {
        List<String> names = new ArrayList<>();
        for (Schema.Field field : record.getSchema().getFields()) {
          names.add(field.name());
        }
        columns = new ResultRow.Columns(names);
        schema = record.getSchema();
      }
      List<Schema.Field> fields = schema.getFields();
      Object[] values = new Object[fields.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = value(fields.get(i).schema(), record.get(i));
      }
      try {
        return mapper.map(new ResultRow(columns, values));
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(
            "row mapper failed on " + new ResultRow(columns, values), e);
      }
    }
  }

  static Object value(Schema schema, Object value) {
    if (value == null) {
      return null;
    }
    Schema type = nonNullBranch(schema);
    LogicalType logical = type.getLogicalType();
    switch (type.getType()) {
      case LONG:
        if (logical instanceof LogicalTypes.TimestampMicros) {
          return SqlValues.fromMicros((Long) value);
        }
        return value;
      case INT:
        if (logical instanceof LogicalTypes.Date) {
          return LocalDate.ofEpochDay((Integer) value);
        }
        return ((Integer) value).longValue();
      case DOUBLE:
        return value;
      case FLOAT:
        return ((Float) value).doubleValue();
      case BOOLEAN:
        return value;
      case BYTES:
        if (logical instanceof LogicalTypes.Decimal decimal) {
          ByteBuffer buffer = ((ByteBuffer) value).duplicate();
          byte[] bytes = new byte[buffer.remaining()];
          buffer.get(bytes);
          return new BigDecimal(new BigInteger(bytes), decimal.getScale());
        }
        return value.toString();
      default:
        return value.toString();
    }
  }

  private static Schema nonNullBranch(Schema schema) {
    if (schema.getType() != Schema.Type.UNION) {
      return schema;
    }
    for (Schema branch : schema.getTypes()) {
      if (branch.getType() != Schema.Type.NULL) {
        return branch;
      }
    }
    return schema;
  }
}
