package dev.trickle.refresh;

import dev.trickle.catalog.SqlState;
import dev.trickle.catalog.StreamTable;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A refresh runs as the owner of the stream table's storage table, as {@code REFRESH MATERIALIZED
 * VIEW} runs as the view's owner: whoever refreshes (the owner, a superuser's scheduler, a member
 * of the owner's role), the defining query reads what the owner may read and its functions run with
 * the owner's rights, never the refresher's.
 *
 * <p>Every way a refresh is sent takes its frontier snapshot in one statement ({@link
 * Frontiers#take}), before anything evaluates the query; that statement calls {@code
 * pgtrickle.refresh_as_owner(storage)} (catalog {@code V14__security.sql}), which switches the
 * transaction's role to the owner ({@code set_config('role', owner, true)}, i.e. {@code SET LOCAL
 * ROLE}) and returns the setting it replaced. It is not a security-restricted operation: code that
 * runs {@code RESET ROLE} gets the refreshing session's role back (docs/security.md). A refresh in
 * a transaction of its own ends with its commit or rollback, which restores the role; one in the
 * caller's transaction puts the caller's setting back in its closing statement ({@link #leave}),
 * and a failure rolls back to the refresh's savepoint, which restores it too.
 */
final class OwnerRole {
  private OwnerRole() {}

  /** The select-list expression that switches to the owner of {@code storageRelid}. */
  static String enter(long storageRelid) {
    return "pgtrickle.refresh_as_owner(" + storageRelid + "::oid)";
  }

  /** The select-list expression that puts the caller's {@code role} setting back. */
  static String leave(String callerRole) {
    return "set_config('role', " + Sql.literal(callerRole == null ? "none" : callerRole)
        + ", true)";
  }

  /**
   * A refusal, not counted as the stream table's failure, when the refreshing role lacks the
   * rights to start the refresh ({@code 42501}: it may not act as the owner, or lock the storage);
   * else {@code e} itself. {@link #named} names the owner once the transaction is usable again.
   */
  static SQLException refusedOrSame(StreamTable st, SQLException e) {
    if (!SqlState.PRIVILEGE.code().equals(e.getSQLState())) {
      return e;
    }
    RefreshRefusal refusal =
        new RefreshRefusal(
            "cannot refresh stream table " + st.displayName() + ": " + RefreshFailures.messageOf(e),
            e.getSQLState());
    refusal.initCause(e);
    return refusal;
  }

  /**
   * {@code refusal} with the owner named and the remedy, when it is a {@code 42501} from {@link
   * #refusedOrSame}; for a connection whose transaction (or savepoint) was rolled back.
   */
  static RefreshRefusal named(Connection c, StreamTable st, RefreshRefusal refusal) {
    if (!SqlState.PRIVILEGE.code().equals(refusal.getSQLState())) {
      return refusal;
    }
    String owner;
    try (PreparedStatement ps =
        c.prepareStatement("SELECT pg_catalog.pg_get_userbyid(relowner) FROM pg_catalog.pg_class"
            + " WHERE oid = ?")) {
      ps.setLong(1, st.relid());
      try (ResultSet rs = ps.executeQuery()) {
        owner = rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      refusal.addSuppressed(e);
      return refusal;
    }
    if (owner == null) {
      return refusal;
    }
    RefreshRefusal named =
        new RefreshRefusal(
            refusal.getMessage()
                + " (a refresh runs as the stream table's owner, role "
                + Sql.identifier(owner)
                + "; refresh it as that role, a member of it, or a superuser)",
            refusal.getSQLState());
    named.initCause(refusal.getCause());
    return named;
  }
}
