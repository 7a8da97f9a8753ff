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
 * the owner's rights, never the refresher's. Everything that evaluates the query goes through the
 * owner's {@code SECURITY DEFINER} executor ({@link OwnerExecutor}), inside which PostgreSQL
 * refuses any change of role. The refreshing role must be able to act as the owner; {@code
 * pgtrickle.owner_executor} refuses others with 42501, which this class turns into a refusal that
 * names the owner.
 */
final class OwnerRole {
  private OwnerRole() {}

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
