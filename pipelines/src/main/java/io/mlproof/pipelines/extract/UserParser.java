package io.mlproof.pipelines.extract;

import io.mlproof.pipelines.warehouse.SqlRow;
import io.mlproof.proto.v1.User;

/**
 * {@code users} rows into {@link User}s: the users known at the end of the data interval. A user
 * who signed up at or after the interval's end would leak the future into this run.
 */
final class UserParser extends SingleRowParser<User> {
  private static final long serialVersionUID = 1L;

  UserParser() {
    super(User.class, "user_id", "signup_at", "country", "acquisition_channel");
  }

  @Override
  User parseOne(SqlRow row, ExtractWindow window) throws BadRow {
    String entityId = RowChecks.id(row, "user_id");
    long signup = RowChecks.time(row, "signup_at");
    RowChecks.present(row, "country");
    RowChecks.present(row, "acquisition_channel");
    if (signup >= window.endMicros()) {
      throw new BadRow(
          BadRowReason.OUTSIDE_WINDOW,
          "signup_at "
              + ExtractWindow.instant(signup)
              + " is not before the data interval's end "
              + ExtractWindow.instant(window.endMicros()));
    }
    return User.newBuilder()
        .setEntityId(entityId)
        .setSignupTimeMicros(signup)
        .setCountry(row.getString("country"))
        .setAcquisitionChannel(row.getString("acquisition_channel"))
        .build();
  }
}
