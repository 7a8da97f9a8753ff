package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.DatabaseSnapshot;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Refreshes rolled back and committed in any mix on one connection, in transactions opened with
 * SQL text, with autocommit off, and on their own, after seeded random changes (NULLs and
 * duplicate keys included): a rolled-back refresh leaves stream tables, frontiers, buffers and
 * history exactly as before, and every committed one leaves the stream table equal to its query
 * as a multiset. What the connection remembers between refreshes (targets, the last small batch,
 * session work tables and functions) must never trust what a rollback removed. Reproduce with
 * {@code -Dtrickle.fuzz.seed=...}; {@code -Dtrickle.fuzz.refresh.cycles=...} runs more.
 */
class RolledBackRefreshTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final long SEED = Long.getLong("trickle.fuzz.seed", 20261206L);
  private static final int CYCLES = Integer.getInteger("trickle.fuzz.refresh.cycles", 90);

  private static final List<String[]> STREAM_TABLES =
      List.of(
          new String[] {"rb.agg", "SELECT k, sum(v) AS s, count(*) AS n FROM rb.a GROUP BY k"},
          new String[] {"rb.j", "SELECT a.id, a.v, b.w FROM rb.a JOIN rb.b ON b.k = a.k"},
          new String[] {"rb.f", "SELECT id, k, v FROM rb.a WHERE v > 5 OR v IS NULL"});

  /** How a refresh is run and ended. */
  private enum Way {
    OWN,
    BEGIN_ROLLBACK,
    BEGIN_COMMIT,
    REPEATABLE_READ_ROLLBACK,
    SAVEPOINT_ROLLBACK,
    AUTOCOMMIT_OFF_ROLLBACK,
    AUTOCOMMIT_OFF_COMMIT
  }

  @Test
  void rolledBackRefreshesChangeNothingAndCommittedOnesMatchTheirQueries() throws SQLException {
    Random random = new Random(SEED);
    try (Connection c = db.connectWithoutScheduler();
        Connection observer = db.connectPlain()) {
      sql(
          c,
          "CREATE EXTENSION IF NOT EXISTS pg_trickle",
          "CREATE SCHEMA rb",
          "CREATE TABLE rb.a (id int PRIMARY KEY, k int, v int)",
          "CREATE TABLE rb.b (k int PRIMARY KEY, w int)",
          "INSERT INTO rb.a SELECT g, g % 5, g FROM generate_series(1, 40) AS g",
          "INSERT INTO rb.b SELECT g, g * 10 FROM generate_series(0, 3) AS g");
      for (String[] st : STREAM_TABLES) {
        sql(c, "SELECT pgtrickle.create_stream_table('" + st[0] + "', $$" + st[1] + "$$,"
            + " refresh_mode => 'DIFFERENTIAL')");
      }
      int rolledBack = 0;
      int committed = 0;
      for (int cycle = 0; cycle < CYCLES; cycle++) {
        change(c, random);
        String[] st = STREAM_TABLES.get(random.nextInt(STREAM_TABLES.size()));
        String refresh =
            random.nextBoolean()
                ? "REFRESH STREAM TABLE " + st[0]
                : "SELECT pgtrickle.refresh_stream_table('" + st[0] + "')";
        Way way = Way.values()[random.nextInt(Way.values().length)];
        List<String> before = DatabaseSnapshot.of(observer, "rb");
        boolean kept = refresh(c, way, refresh);
        String context = "cycle " + cycle + ", " + way + ", seed " + SEED;
        if (kept) {
          committed++;
          assertMatches(c, st, context);
        } else {
          rolledBack++;
          assertThat(DatabaseSnapshot.of(observer, "rb")).as(context).isEqualTo(before);
        }
      }
      for (String[] st : STREAM_TABLES) {
        sql(c, "REFRESH STREAM TABLE " + st[0]);
        assertMatches(c, st, "final refresh");
      }
      assertThat(rolledBack).isPositive();
      assertThat(committed).isPositive();
    }
  }

  /** Runs the refresh the given way; true when it was committed. */
  private static boolean refresh(Connection c, Way way, String refresh) throws SQLException {
    switch (way) {
      case OWN -> sql(c, refresh);
      case BEGIN_ROLLBACK -> sql(c, "BEGIN", refresh, "SELECT 1", "ROLLBACK");
      case BEGIN_COMMIT -> sql(c, "START TRANSACTION", refresh, "COMMIT");
      case REPEATABLE_READ_ROLLBACK ->
          sql(c, "BEGIN ISOLATION LEVEL REPEATABLE READ", refresh, "ROLLBACK");
      case SAVEPOINT_ROLLBACK ->
          sql(c, "BEGIN", "SAVEPOINT s", refresh, "ROLLBACK TO SAVEPOINT s", "COMMIT");
      case AUTOCOMMIT_OFF_ROLLBACK, AUTOCOMMIT_OFF_COMMIT -> {
        c.setAutoCommit(false);
        sql(c, refresh);
        if (way == Way.AUTOCOMMIT_OFF_COMMIT) {
          c.commit();
        } else {
          c.rollback();
        }
        c.setAutoCommit(true);
      }
    }
    return way == Way.OWN || way == Way.BEGIN_COMMIT || way == Way.AUTOCOMMIT_OFF_COMMIT;
  }

  /** A few inserts, updates and deletes, NULLs and duplicate join keys included. */
  private static void change(Connection c, Random random) throws SQLException {
    int changes = 1 + random.nextInt(4);
    for (int i = 0; i < changes; i++) {
      int id = 1 + random.nextInt(60);
      String k = random.nextInt(6) == 0 ? "NULL" : String.valueOf(random.nextInt(6));
      String v = random.nextInt(6) == 0 ? "NULL" : String.valueOf(random.nextInt(20));
      switch (random.nextInt(4)) {
        case 0 -> sql(c, "INSERT INTO rb.a VALUES (" + id + ", " + k + ", " + v + ")"
            + " ON CONFLICT (id) DO UPDATE SET k = EXCLUDED.k, v = EXCLUDED.v");
        case 1 -> sql(c, "UPDATE rb.a SET v = " + v + " WHERE id = " + id);
        case 2 -> sql(c, "DELETE FROM rb.a WHERE id = " + id);
        default -> sql(c, "INSERT INTO rb.b VALUES (" + random.nextInt(6) + ", " + v + ")"
            + " ON CONFLICT (k) DO UPDATE SET w = EXCLUDED.w");
      }
    }
  }

  private static void assertMatches(Connection c, String[] st, String context)
      throws SQLException {
    String query = st[1];
    assertThat(count(c, "(" + query + ") EXCEPT ALL SELECT * FROM " + st[0]))
        .as("rows of the query missing in " + st[0] + ", " + context)
        .isZero();
    assertThat(count(c, "SELECT * FROM " + st[0] + " EXCEPT ALL (" + query + ")"))
        .as("rows of " + st[0] + " not in its query, " + context)
        .isZero();
  }

  private static long count(Connection c, String query) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM (" + query + ") AS q")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void sql(Connection c, String... statements) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String statement : statements) {
        st.execute(statement);
      }
    }
  }
}
