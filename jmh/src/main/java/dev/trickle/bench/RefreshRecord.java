package dev.trickle.bench;

/**
 * The newest row of {@code pgtrickle.pgt_refresh_history} for a stream table: what the refresh
 * actually did, as the product recorded it.
 *
 * @param action {@code DIFFERENTIAL}, {@code FULL}, {@code NO_DATA} or {@code REINITIALIZE}
 * @param status {@code COMPLETED}, {@code FAILED}, ...
 * @param reason why a FULL was chosen, when the product said
 * @param rowsInserted rows the refresh inserted into the stream table
 * @param rowsDeleted rows the refresh deleted from the stream table
 * @param serverMillis end minus start time as recorded in the history
 */
record RefreshRecord(
    String action, String status, String reason, long rowsInserted, long rowsDeleted, double serverMillis) {

  /** Whether this refresh completed with the strategy {@code expected}. */
  boolean completedAs(String expected) {
    return expected.equals(action) && "COMPLETED".equals(status);
  }

  /** One line for logs and the report: action, status, reason and row counts. */
  String describe() {
    return action + "/" + status + (reason == null ? "" : " (" + reason + ")")
        + " +" + rowsInserted + "/-" + rowsDeleted;
  }
}
