package io.mlproof.pipelines.extract;

import io.mlproof.pipelines.warehouse.SqlRow;
import io.mlproof.proto.v1.Event;
import io.mlproof.proto.v1.EventType;
import java.util.Map;

/**
 * {@code events} rows into {@link Event}s. Checks, in this order (the same order as the {@code
 * problem} CASE in {@code extract/entity_days.sql}): ids, time present, known type, non-negative
 * amount, a purchase has an amount, time inside the data interval.
 */
final class EventParser extends SingleRowParser<Event> {
  private static final long serialVersionUID = 1L;

  EventParser() {
    super(Event.class, "event_id", "user_id", "event_type", "event_at", "amount");
  }

  static final Map<String, EventType> TYPES =
      Map.of(
          "session_start", EventType.SESSION_START,
          "page_view", EventType.PAGE_VIEW,
          "add_to_cart", EventType.ADD_TO_CART,
          "purchase", EventType.PURCHASE);

  @Override
  Event parseOne(SqlRow row, ExtractWindow window) throws BadRow {
    RowChecks.checkId(row, "event_id");
    String entityId = RowChecks.id(row, "user_id");
    long at = RowChecks.time(row, "event_at");
    EventType type = RowChecks.category(row, "event_type", TYPES, BadRowReason.UNKNOWN_EVENT_TYPE);
    long cents = RowChecks.nonNegativeCents(row, "amount");
    if (type == EventType.PURCHASE) {
      RowChecks.present(row, "amount");
    }
    RowChecks.inWindow(at, window, "event_at");
    return Event.newBuilder()
        .setEventId(row.getLong("event_id"))
        .setEntityId(entityId)
        .setEventType(type)
        .setEventTimeMicros(at)
        // The contract: amount_cents is for purchases only, 0 otherwise.
        .setAmountCents(type == EventType.PURCHASE ? cents : 0)
        .build();
  }
}
