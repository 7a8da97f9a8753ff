package dev.trickle.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The session's reusable work tables ({@link SessionTempTables}): reused from one refresh to the
 * next, and never trusted when the session lost or replaced them (rollback, DISCARD, an IMMEDIATE
 * trigger using the same names, two refreshes in one transaction); and refreshes inside a caller's
 * transaction that keeps writing. After every refresh the stream table must equal its query and
 * the refresh must have been DIFFERENTIAL.
 */
class SessionWorkTablesTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String QUERY =
      "SELECT g.name, count(*) AS n, sum(o.amount) AS total FROM orders o JOIN grp g ON g.id = o.grp"
          + " GROUP BY g.name";

  /** The last key of a batch whose delta table passes {@link SessionTempTables#TRUNCATE_BYTES}. */
  private static final int LARGE = 250_000;

  private Connection c;
  private Statement s;
  private final Random random = new Random(20261124);
  private int rounds;

  @BeforeEach
  void setUp() throws SQLException {
    Properties noScheduler = new Properties();
    noScheduler.setProperty("trickle.scheduler", "false");
    c = db.connect(noScheduler);
    s = c.createStatement();
    s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
    s.execute("DROP TABLE IF EXISTS orders, grp CASCADE");
    s.execute("CREATE TABLE grp (id int PRIMARY KEY, name text)");
    s.execute("CREATE TABLE orders (id int PRIMARY KEY, grp int, amount int)");
    s.execute("INSERT INTO grp SELECT g, 'g' || (g % 4) FROM generate_series(1, 8) g");
    s.execute("INSERT INTO orders SELECT g, 1 + g % 8, g % 13 FROM generate_series(1, 200) g");
    s.execute("SELECT pgtrickle.create_stream_table(name => 'totals', query => $$" + QUERY
        + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
  }

  @AfterEach
  void tearDown() throws SQLException {
    if (!c.getAutoCommit()) {
      c.rollback();
      c.setAutoCommit(true);
    }
    s.execute("DROP EXTENSION IF EXISTS pg_trickle CASCADE");
    c.close();
  }

  @Test
  void repeatedRefreshesReuseTheSameTables() throws SQLException {
    change();
    refreshAndCheck();
    List<String> first = workTables();
    assertThat(first).isNotEmpty();
    for (int i = 0; i < 5; i++) {
      change();
      refreshAndCheck();
    }
    assertThat(workTables()).isEqualTo(first);
  }

  @Test
  void twoRefreshesInOneCallerTransaction() throws SQLException {
    refreshAndCheck();
    c.setAutoCommit(false);
    change();
    refreshAndCheck();
    change();
    refreshAndCheck();
    c.commit();
    c.setAutoCommit(true);
    change();
    refreshAndCheck();
  }

  @Test
  void changesWrittenAfterARefreshInTheSameTransactionAreNotLost() throws SQLException {
    refreshAndCheck();
    c.setAutoCommit(false);
    change();
    refreshAndCheck();
    change();
    c.commit();
    c.setAutoCommit(true);
    refreshAndCheck();
    try (ResultSet rs = s.executeQuery("SELECT sum(pending_rows) FROM pgtrickle.change_buffer_sizes()")) {
      rs.next();
      assertThat(rs.getLong(1)).isZero();
    }
  }

  @Test
  void aRolledBackRefreshLeavesNothingStale() throws SQLException {
    s.execute("DISCARD TEMP");
    c.setAutoCommit(false);
    change();
    refreshAndCheck();
    c.rollback();
    c.setAutoCommit(true);
    change();
    refreshAndCheck();
  }

  @Test
  void discardedTablesAreCreatedAgain() throws SQLException {
    change();
    refreshAndCheck();
    s.execute("DISCARD TEMP");
    change();
    refreshAndCheck();
    s.execute("DISCARD ALL");
    change();
    refreshAndCheck();
  }

  @Test
  void anImmediateStreamTableOnTheSameSourceDoesNotBreakReuse() throws SQLException {
    change();
    refreshAndCheck();
    s.execute("SELECT pgtrickle.create_stream_table(name => 'live', query => $$SELECT id, amount FROM"
        + " orders WHERE amount > 5$$, refresh_mode => 'IMMEDIATE')");
    for (int i = 0; i < 3; i++) {
      change();
      assertThat(difference("live", "SELECT id, amount FROM orders WHERE amount > 5")).isZero();
      refreshAndCheck();
    }
  }

  @Test
  void aWorkTableThatGrewLargeIsEmptiedByTruncateAndStaysReused() throws SQLException {
    change();
    refreshAndCheck();
    String delta = "pg_temp.\"__pgt_delta_" + scalar("SELECT 'orders'::regclass::oid") + "\"";
    String deltaOid = scalar("SELECT '" + delta + "'::regclass::oid");
    s.execute("UPDATE orders SET amount = amount + 1");
    s.execute("INSERT INTO orders SELECT g, 1 + g % 8, g % 13 FROM generate_series(1000, " + LARGE
        + ") g");
    s.execute("SELECT pgtrickle.refresh_stream_table('totals')"); // most rows changed: FULL
    assertThat(difference("totals", QUERY)).isZero();
    assertThat(Long.parseLong(scalar("SELECT pg_relation_size('" + delta + "')")))
        .isGreaterThanOrEqualTo(SessionTempTables.TRUNCATE_BYTES);
    change();
    refreshAndCheck();
    assertThat(Long.parseLong(scalar("SELECT pg_relation_size('" + delta + "')")))
        .isLessThan(SessionTempTables.TRUNCATE_BYTES);
    assertThat(scalar("SELECT '" + delta + "'::regclass::oid")).as("the same table").isEqualTo(deltaOid);
  }

  /**
   * A delta table grown past {@link SessionTempTables#TRUNCATE_BYTES} (by a batch large enough to
   * be recomputed) is truncated by the next refresh and analyzed right after its fill: the
   * statements that fill and read it keep their text, so the session functions that run them
   * (planned once) stay the ones made before, and no later refresh makes a new one.
   */
  @Test
  void upkeepOfAWorkTableLeavesTheSessionFunctionsAsTheyWere() throws SQLException {
    for (int i = 0; i < 2; i++) { // the first creates the work tables, the second refills them
      change();
      refreshAndCheck();
    }
    String delta = "pg_temp.\"__pgt_delta_" + scalar("SELECT 'orders'::regclass::oid") + "\"";
    String functions = "SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc"
        + " WHERE pronamespace = pg_my_temp_schema() AND proname LIKE '\\_\\_pgt\\_batch\\_%'";
    s.execute("INSERT INTO orders SELECT g, 1 + g % 8, g % 13 FROM generate_series(1000, " + LARGE
        + ") g");
    s.execute("SELECT pgtrickle.refresh_stream_table('totals')"); // most rows changed: FULL
    assertThat(Long.parseLong(scalar("SELECT pg_relation_size('" + delta + "')")))
        .isGreaterThanOrEqualTo(SessionTempTables.TRUNCATE_BYTES);
    String file = scalar("SELECT pg_relation_filenode('" + delta + "')");
    String made = scalar(functions);
    for (int cycle = 0; cycle < 4; cycle++) {
      change();
      refreshAndCheck();
      assertThat(scalar(functions)).as("session functions after cycle %d", cycle).isEqualTo(made);
      assertThat(scalar("SELECT relpages > 0 FROM pg_class WHERE oid = '" + delta + "'::regclass"))
          .as("the delta table's statistics after cycle %d", cycle).isEqualTo("t");
    }
    assertThat(scalar("SELECT pg_relation_filenode('" + delta + "')"))
        .as("the delta table was truncated").isNotEqualTo(file);
  }

  /**
   * Random writes, then a real change to each source: changes that cancel out are netted away, so
   * without these the set of changed sources (and with it the program and its work tables) would
   * vary from refresh to refresh.
   */
  private void change() throws SQLException {
    for (int i = 0; i < 5; i++) {
      int id = 1 + random.nextInt(220);
      switch (random.nextInt(4)) {
        case 0 -> s.execute("INSERT INTO orders VALUES (" + id + ", " + (1 + random.nextInt(9)) + ", "
            + random.nextInt(20) + ") ON CONFLICT DO NOTHING");
        case 1 -> s.execute("DELETE FROM orders WHERE id = " + id);
        case 2 -> s.execute("UPDATE orders SET grp = " + (1 + random.nextInt(9)) + " WHERE id = " + id);
        default -> s.execute("UPDATE grp SET name = 'g" + random.nextInt(5) + "' WHERE id = "
            + (1 + random.nextInt(8)));
      }
    }
    s.execute("UPDATE orders SET amount = amount + 1 WHERE id = (SELECT min(id) FROM orders)");
    s.execute("UPDATE grp SET name = 'r" + (rounds++) + "' WHERE id = 8");
  }

  private void refreshAndCheck() throws SQLException {
    s.execute("SELECT pgtrickle.refresh_stream_table('totals')");
    assertThat(difference("totals", QUERY)).isZero();
    try (ResultSet rs = s.executeQuery("SELECT action FROM pgtrickle.get_refresh_history('totals')"
        + " ORDER BY start_time DESC LIMIT 1")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isIn("DIFFERENTIAL", "NO_DATA");
    }
  }

  private String scalar(String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private long difference(String table, String query) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM ((TABLE " + table + ") EXCEPT ALL ("
        + query + ")) a) + (SELECT count(*) FROM ((" + query + ") EXCEPT ALL (TABLE " + table + ")) b)")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private List<String> workTables() throws SQLException {
    List<String> tables = new ArrayList<>();
    try (ResultSet rs = s.executeQuery("SELECT relname || ':' || oid FROM pg_class WHERE relnamespace"
        + " = pg_my_temp_schema() AND relname LIKE '\\_\\_pgt\\_%' ORDER BY relname")) {
      while (rs.next()) {
        tables.add(rs.getString(1));
      }
    }
    return tables;
  }
}
