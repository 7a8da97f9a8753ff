package dev.trickle.refresh;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.lastAction;
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
 * A stream table whose semi-joins look up a source's delta by key gets that delta table indexed
 * on the key, once per session, and the index lives as long as the table: kept across refreshes
 * (of this and of other stream tables on the same source), created again after a rolled-back
 * refresh or {@code DISCARD TEMP}; a superuser's refresh makes them in its own session, as the
 * stream table's owner. After every refresh each stream table equals its query and the refresh
 * was DIFFERENTIAL.
 */
class DeltaLookupIndexesTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  /** Orders that share their group with a larger order of another id: a keyed EXISTS on orders. */
  private static final String KEYED =
      "SELECT o.id, o.amount FROM orders o WHERE EXISTS (SELECT 1 FROM orders o2"
          + " WHERE o2.grp = o.grp AND o2.id <> o.id AND o2.amount > o.amount)";

  /** The same source read without a semi-join: asks for no index. */
  private static final String PLAIN = "SELECT o.grp, count(*) AS n FROM orders o GROUP BY o.grp";

  private Connection c;
  private Statement s;
  private final Random random = new Random(20261207);

  @BeforeEach
  void setUp() throws SQLException {
    c = db.connectWithoutScheduler();
    s = c.createStatement();
    s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
    s.execute("DROP TABLE IF EXISTS orders CASCADE");
    s.execute("CREATE TABLE orders (id int PRIMARY KEY, grp int, amount int)");
    s.execute("INSERT INTO orders SELECT g, g % 7, g % 13 FROM generate_series(1, 300) g");
    create("keyed", KEYED);
    create("plain", PLAIN);
  }

  @AfterEach
  void tearDown() throws SQLException {
    s.execute("DROP EXTENSION IF EXISTS pg_trickle CASCADE");
    c.close();
  }

  @Test
  void theDeltaIsIndexedOnceOnTheKeyAndKeptAcrossRefreshes() throws SQLException {
    change();
    refreshAndCheck("keyed", KEYED);
    List<String> indexes = deltaIndexes();
    assertThat(indexes).hasSize(1);
    assertThat(indexes.get(0)).contains("(grp)");
    String table = deltaTable();
    for (int i = 0; i < 4; i++) {
      change();
      refreshAndCheck("plain", PLAIN);
      refreshAndCheck("keyed", KEYED);
    }
    assertThat(deltaIndexes()).isEqualTo(indexes);
    assertThat(deltaTable()).isEqualTo(table);
  }

  @Test
  void aRolledBackRefreshOrDiscardTakesTheIndexAndTheNextRefreshMakesItAgain() throws SQLException {
    change();
    s.execute("BEGIN");
    s.execute("SELECT pgtrickle.refresh_stream_table('keyed')");
    s.execute("ROLLBACK");
    assertThat(deltaIndexes()).isEmpty();
    refreshAndCheck("keyed", KEYED);
    assertThat(deltaIndexes()).hasSize(1);
    s.execute("DISCARD TEMP");
    change();
    refreshAndCheck("keyed", KEYED);
    assertThat(deltaIndexes()).hasSize(1);
  }

  @Test
  void aSuperusersRefreshIndexesItsOwnSessionsDeltaAsTheOwner() throws SQLException {
    change();
    Properties noScheduler = new Properties();
    noScheduler.setProperty("trickle.scheduler", "false");
    try (Connection admin = db.connectAdminThroughTrickle(noScheduler);
        Statement su = admin.createStatement()) {
      su.execute("SELECT pgtrickle.refresh_stream_table('public.keyed')");
      assertThat(difference(su, "public.keyed", KEYED)).isZero();
      assertThat(lastAction(su, "public.keyed")).isEqualTo("DIFFERENTIAL");
      try (ResultSet rs = su.executeQuery("SELECT t.relowner::regrole::text, count(i.indexrelid)"
          + " FROM pg_class t LEFT JOIN pg_index i ON i.indrelid = t.oid WHERE t.relnamespace ="
          + " pg_my_temp_schema() AND t.relname = '__pgt_delta_' || 'public.orders'::regclass::oid"
          + " GROUP BY t.relowner")) {
        assertThat(rs.next()).as("the superuser's session has the orders delta").isTrue();
        assertThat(rs.getString(1)).as("made by the refresh as the owner")
            .isEqualTo(PostgresFixture.APP_ROLE);
        assertThat(rs.getLong(2)).isEqualTo(1);
      }
    }
    assertThat(deltaIndexes()).as("the owner's own session is untouched").isEmpty();
  }

  @Test
  void aSourceReadOnlyWithoutSemiJoinsGetsNoIndex() throws SQLException {
    change();
    refreshAndCheck("plain", PLAIN);
    assertThat(deltaTable()).isNotNull();
    assertThat(deltaIndexes()).isEmpty();
  }

  private void create(String name, String query) throws SQLException {
    s.execute("SELECT pgtrickle.create_stream_table(name => '" + name + "', query => $$" + query
        + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
  }

  /** Random inserts, deletes and updates of group and amount, NULL groups included. */
  private void change() throws SQLException {
    for (int i = 0; i < 30; i++) {
      int id = 1 + random.nextInt(330);
      String grp = random.nextInt(10) == 0 ? "NULL" : String.valueOf(random.nextInt(8));
      switch (random.nextInt(4)) {
        case 0 -> s.execute("INSERT INTO orders VALUES (" + id + ", " + grp + ", " + random.nextInt(15)
            + ") ON CONFLICT DO NOTHING");
        case 1 -> s.execute("DELETE FROM orders WHERE id = " + id);
        case 2 -> s.execute("UPDATE orders SET grp = " + grp + " WHERE id = " + id);
        default -> s.execute("UPDATE orders SET amount = " + random.nextInt(15) + " WHERE id = " + id);
      }
    }
  }

  private void refreshAndCheck(String name, String query) throws SQLException {
    s.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
    assertThat(difference(s, name, query)).as("rows of %s differing from its query", name).isZero();
    assertThat(lastAction(s, name)).isIn("DIFFERENTIAL", "NO_DATA");
  }

  /** The orders delta table of this session, with its oid, or null. */
  private String deltaTable() throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT relname || ':' || oid FROM pg_class WHERE relnamespace"
        + " = pg_my_temp_schema() AND relname = '__pgt_delta_' || 'orders'::regclass::oid")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** The definitions and oids of the indexes on this session's orders delta table. */
  private List<String> deltaIndexes() throws SQLException {
    List<String> indexes = new ArrayList<>();
    try (ResultSet rs = s.executeQuery("SELECT pg_get_indexdef(i.indexrelid) || ':' || i.indexrelid"
        + " FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid WHERE t.relnamespace ="
        + " pg_my_temp_schema() AND t.relname = '__pgt_delta_' || 'orders'::regclass::oid"
        + " ORDER BY 1")) {
      while (rs.next()) {
        indexes.add(rs.getString(1));
      }
    }
    return indexes;
  }
}
