package io.mlproof.pipelines.warehouse;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * Compact coder for {@link ResultRow}: per column its name, a one-byte type tag and the value.
 * Decoding reuses the previous row's column index when the names repeat, as they do in one result.
 */
public final class ResultRowCoder extends CustomCoder<ResultRow> {
  private static final long serialVersionUID = 1L;
  private static final ResultRowCoder INSTANCE = new ResultRowCoder();

  private static final byte NULL = 0;
  private static final byte LONG = 1;
  private static final byte DOUBLE = 2;
  private static final byte STRING = 3;
  private static final byte DECIMAL = 4;
  private static final byte BOOLEAN = 5;
  private static final byte TIMESTAMP = 6;
  private static final byte DATE = 7;

  private transient volatile ResultRow.Columns lastColumns;

  private ResultRowCoder() {}

  public static ResultRowCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(ResultRow row, OutputStream outStream) throws IOException {
    DataOutputStream out = new DataOutputStream(outStream);
    List<String> names = row.columnNames();
    out.writeShort(names.size());
    for (int i = 0; i < names.size(); i++) {
      out.writeUTF(names.get(i));
      writeValue(out, row.value(i));
    }
    out.flush();
  }

  private static void writeValue(DataOutputStream out, Object value) throws IOException {
    if (value == null) {
      out.writeByte(NULL);
    } else if (value instanceof Long l) {
      out.writeByte(LONG);
      out.writeLong(l);
    } else if (value instanceof Double d) {
      out.writeByte(DOUBLE);
      out.writeDouble(d);
    } else if (value instanceof String s) {
      out.writeByte(STRING);
      byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      out.writeInt(bytes.length);
      out.write(bytes);
    } else if (value instanceof BigDecimal d) {
      out.writeByte(DECIMAL);
      out.writeInt(d.scale());
      byte[] unscaled = d.unscaledValue().toByteArray();
      out.writeShort(unscaled.length);
      out.write(unscaled);
    } else if (value instanceof Boolean b) {
      out.writeByte(BOOLEAN);
      out.writeBoolean(b);
    } else if (value instanceof Instant i) {
      out.writeByte(TIMESTAMP);
      out.writeLong(SqlValues.micros(i));
    } else if (value instanceof LocalDate d) {
      out.writeByte(DATE);
      out.writeLong(d.toEpochDay());
    } else {
      throw new CoderException("not a normalised SQL value: " + value.getClass().getName());
    }
  }

  @Override
  public ResultRow decode(InputStream inStream) throws IOException {
    DataInputStream in = new DataInputStream(inStream);
    int size = in.readUnsignedShort();
    List<String> names = new ArrayList<>(size);
    Object[] values = new Object[size];
    for (int i = 0; i < size; i++) {
      names.add(in.readUTF());
      values[i] = readValue(in);
    }
    ResultRow.Columns columns = lastColumns;
    if (columns == null || !columns.names.equals(names)) {
      columns = new ResultRow.Columns(names);
      lastColumns = columns;
    }
    return new ResultRow(columns, values);
  }

  private static Object readValue(DataInputStream in) throws IOException {
    byte tag = in.readByte();
    switch (tag) {
      case NULL:
        return null;
      case LONG:
        return in.readLong();
      case DOUBLE:
        return in.readDouble();
      case STRING:
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
      case DECIMAL:
        int scale = in.readInt();
        byte[] unscaled = new byte[in.readUnsignedShort()];
        in.readFully(unscaled);
        return new BigDecimal(new BigInteger(unscaled), scale);
      case BOOLEAN:
        return in.readBoolean();
      case TIMESTAMP:
        return SqlValues.fromMicros(in.readLong());
      case DATE:
        return LocalDate.ofEpochDay(in.readLong());
      default:
        throw new CoderException("unknown value tag " + tag);
    }
  }

  @Override
  public void verifyDeterministic() {
    // Same row, same bytes: names and values are written in order with fixed encodings.
  }

  private Object readResolve() {
    return INSTANCE;
  }
}
