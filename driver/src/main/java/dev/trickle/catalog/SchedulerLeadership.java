package dev.trickle.catalog;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The scheduler leadership of a database: the one row of {@code pgtrickle.pgt_scheduler_leader},
 * naming the backend of the leading scheduler's control connection (catalog V14). A scheduler
 * takes it when it names no backend that still runs, so a leader whose process or connection died
 * is replaced at a standby's next try, as with the session-level advisory lock used before; but
 * only a role that may update the catalog can take it, where any role able to connect could hold
 * an advisory lock and stall every scheduler (docs/security.md).
 */
public final class SchedulerLeadership {
  private SchedulerLeadership() {}

  /**
   * Takes the leadership for this connection's backend if nobody alive holds it; true when this
   * backend leads (it took it now or held it already). A leader calls it again now and then to
   * confirm it still leads.
   */
  public static boolean take(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pgtrickle.take_scheduler_leadership()")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** Gives the leadership up, when this connection's backend holds it. */
  public static void resign(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pgtrickle.resign_scheduler_leadership()");
    }
  }
}
