package io.mlproof.pipelines.extract;

import io.mlproof.pipelines.warehouse.SqlRow;
import io.mlproof.proto.v1.Payment;
import io.mlproof.proto.v1.PaymentStatus;
import java.util.Map;

/**
 * {@code payments} rows into {@link Payment}s. Checks, in the order of the payments {@code problem}
 * CASE in {@code extract/entity_days.sql}: ids, time and amount present, known status, non-negative
 * amount; then time inside the data interval.
 */
final class PaymentParser extends SingleRowParser<Payment> {
  private static final long serialVersionUID = 1L;

  PaymentParser() {
    super(Payment.class, "payment_id", "user_id", "paid_at", "amount", "status");
  }

  static final Map<String, PaymentStatus> STATUSES =
      Map.of(
          "succeeded", PaymentStatus.SUCCEEDED,
          "failed", PaymentStatus.FAILED,
          "refunded", PaymentStatus.REFUNDED);

  @Override
  Payment parseOne(SqlRow row, ExtractWindow window) throws BadRow {
    RowChecks.checkId(row, "payment_id");
    String entityId = RowChecks.id(row, "user_id");
    long at = RowChecks.time(row, "paid_at");
    RowChecks.present(row, "amount");
    PaymentStatus status = RowChecks.category(row, "status", STATUSES, BadRowReason.UNKNOWN_STATUS);
    long cents = RowChecks.nonNegativeCents(row, "amount");
    RowChecks.inWindow(at, window, "paid_at");
    return Payment.newBuilder()
        .setPaymentId(row.getLong("payment_id"))
        .setEntityId(entityId)
        .setPaymentTimeMicros(at)
        .setAmountCents(cents)
        .setStatus(status)
        .build();
  }
}
