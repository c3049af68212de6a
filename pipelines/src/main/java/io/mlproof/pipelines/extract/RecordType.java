package io.mlproof.pipelines.extract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.mlproof.pipelines.core.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;

/** What an extract run produces; {@code --recordType=events|payments|users|entity_days}. */
public enum RecordType {
  EVENTS(new EventParser()),
  PAYMENTS(new PaymentParser()),
  USERS(new UserParser()),
  /** The daily per-user rollup the features stage reads. */
  ENTITY_DAYS(new EntityDayParser());

  private final RecordParser<? extends Message> parser;

  RecordType(RecordParser<? extends Message> parser) {
    this.parser = parser;
  }

  /** The name users type, e.g. {@code entity_days}. */
  @JsonValue
  public String optionName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static RecordType fromOption(String name) {
    return Arrays.stream(values())
        .filter(type -> type.optionName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "--recordType="
                        + name
                        + " is not a record type: use one of "
                        + Arrays.stream(values()).map(RecordType::optionName).toList()));
  }

  /** The bundled template, e.g. {@code extract/events.sql}. */
  public String defaultTemplate() {
    return "extract/" + optionName() + ".sql";
  }

  /** The dead letters' source, e.g. {@code extract/events}. */
  public String source() {
    return "extract/" + optionName();
  }

  /** Fully qualified proto name of the records, e.g. {@code mlproof.v1.Event}. */
  public String protoName() {
    return descriptor().getFullName();
  }

  /** The records' message type. */
  public Descriptors.Descriptor descriptor() {
    return GeneratedMessages.descriptor(parser.type());
  }

  RecordParser<? extends Message> parser() {
    return parser;
  }

  /** Reads a generated message's descriptor without an instance at hand. */
  private static final class GeneratedMessages {
    private GeneratedMessages() {}

    static Descriptors.Descriptor descriptor(Class<? extends Message> type) {
      try {
        return (Descriptors.Descriptor) type.getMethod("getDescriptor").invoke(null);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(type + " is not a generated message", e);
      }
    }
  }
}
