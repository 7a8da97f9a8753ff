package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.testing.LoginRole;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.StreamTableChecks;
import dev.trickle.testing.TestDatabase;
import dev.trickle.testing.WriterFixture;
import dev.trickle.testing.WritersWithRefresher;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Join key locking of IMMEDIATE joins: writers of different join key values run side by side,
 * writers of one value serialize on it, and the stream tables stay exact.
 *
 * <p>Branches, their accounts and tellers, and notes per branch (a bag with identical copies), all
 * joined on the branch id: a keyed two-table join, a keyed three-table join, a bag whose output
 * carries the key and a bag of identical copies whose output carries the accounts' key (accounts
 * move between branches) lock key values. A bag whose output carries neither ({@code copies}:
 * identical rows of different key values) keeps the lock row. A session held inside its
 * statement on one branch does not hold up writers of other branches, under READ COMMITTED,
 * REPEATABLE READ and SERIALIZABLE; a writer of its branch waits and then (outside READ COMMITTED)
 * fails with {@code 40001}. Two and eight sessions write random branches, half of them in
 * autocommit statements as a session that locks keys, half mixing transaction blocks in; every
 * stream table equals its query afterwards.
 */
class ImmediateJoinKeyLockTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String ACCOUNT_BRANCHES =
      "SELECT a.aid, a.balance, b.bid, b.name FROM accounts a JOIN branches b ON a.bid = b.bid";
  private static final String TELLER_ACCOUNTS = "SELECT a.aid, t.tid, b.bid FROM accounts a"
      + " JOIN branches b ON a.bid = b.bid JOIN tellers t ON t.bid = b.bid";
  private static final String NOTE_COPIES =
      "SELECT n.bid, n.v FROM notes n JOIN branches b ON b.bid = n.bid";
  private static final String ACCOUNT_NOTES =
      "SELECT a.aid, n.v FROM accounts a JOIN notes n ON n.bid = a.bid";
  private static final String COPIES = "SELECT t.v FROM tags t JOIN kinds k ON k.k = t.k";
  private static final String TOTALS =
      "SELECT count(*) AS n, sum(balance) AS total FROM account_branches";
  private static final int BRANCHES = 12;

  private static WriterFixture fixture;
  private static Connection owner;
  private static LoginRole writer;

  @BeforeAll
  static void tablesAndStreamTables() throws SQLException {
    fixture = WriterFixture.create(db, "trickle_imm_key_writer", "imm-key",
        List.of("branches", "accounts", "tellers", "notes", "tags", "kinds"), List.of(
            "CREATE TABLE branches (bid int PRIMARY KEY, name text)",
            "CREATE TABLE accounts (aid int PRIMARY KEY, bid int, balance int)",
            "CREATE TABLE tellers (tid int PRIMARY KEY, bid int)",
            "CREATE TABLE notes (bid int, v int)",
            "CREATE TABLE kinds (k int PRIMARY KEY, label text)",
            "CREATE TABLE tags (k int, v int)",
            "CREATE INDEX ON accounts (bid)",
            "CREATE INDEX ON tellers (bid)",
            "CREATE INDEX ON notes (bid)",
            "CREATE INDEX ON tags (k)",
            "INSERT INTO branches SELECT g, 'branch ' || g FROM generate_series(1, 10) g",
            "INSERT INTO accounts SELECT g, g % 10 + 1, g FROM generate_series(1, 200) g",
            "INSERT INTO tellers SELECT g, g % 10 + 1 FROM generate_series(1, 20) g",
            "INSERT INTO notes SELECT g % 12 + 1, g % 2 FROM generate_series(1, 60) g",
            "INSERT INTO kinds SELECT g, 'kind ' || g FROM generate_series(1, 10) g",
            "INSERT INTO tags SELECT g % 12 + 1, g % 2 FROM generate_series(1, 60) g",
            // Holds a statement after its maintenance, while a test session holds advisory lock 4242.
            "CREATE FUNCTION hold() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
                + " IF current_setting('test.hold', true) = 'on' THEN PERFORM pg_advisory_lock(4242);"
                + " PERFORM pg_advisory_unlock(4242); END IF; RETURN NULL; END$$",
            "CREATE TRIGGER zz_hold AFTER UPDATE ON accounts FOR EACH STATEMENT EXECUTE FUNCTION hold()",
            "SELECT pgtrickle.create_stream_table('account_branches', $q$" + ACCOUNT_BRANCHES
                + "$q$, refresh_mode => 'IMMEDIATE')",
            "SELECT pgtrickle.create_stream_table('teller_accounts', $q$" + TELLER_ACCOUNTS
                + "$q$, refresh_mode => 'IMMEDIATE')",
            "SELECT pgtrickle.create_stream_table('note_copies', $q$" + NOTE_COPIES
                + "$q$, refresh_mode => 'IMMEDIATE')",
            "SELECT pgtrickle.create_stream_table('account_notes', $q$" + ACCOUNT_NOTES
                + "$q$, refresh_mode => 'IMMEDIATE')",
            "SELECT pgtrickle.create_stream_table('copies', $q$" + COPIES
                + "$q$, refresh_mode => 'IMMEDIATE')",
            "SELECT pgtrickle.create_stream_table('totals', $q$" + TOTALS
                + "$q$, refresh_mode => 'DIFFERENTIAL', schedule => '1h')"));
    owner = fixture.owner();
    writer = fixture.writer();
  }

  @AfterAll
  static void close() throws SQLException {
    fixture.close();
  }

  @Test
  void joinsThroughOneKeyLockItsValuesAndOthersTheLockRow() throws SQLException {
    try (Statement st = owner.createStatement()) {
      assertThat(locksKeys(st, "account_branches")).as("two tables on one key").isTrue();
      assertThat(locksKeys(st, "teller_accounts")).as("three tables on one key").isTrue();
      assertThat(locksKeys(st, "note_copies")).as("a bag whose output carries the key").isTrue();
      assertThat(locksKeys(st, "account_notes")).as("a bag whose output carries a row key").isTrue();
      assertThat(locksKeys(st, "copies")).as("a bag of identical rows of different keys").isFalse();
      st.execute("CREATE TABLE s_a (id int PRIMARY KEY, k int, name text)");
      st.execute("CREATE TABLE s_b (id int PRIMARY KEY, k bigint, name text)");
      Map<String, Boolean> shapes = Map.of(
          "SELECT a.id, b.id AS bid FROM s_a a, s_b b WHERE a.k = b.k AND a.id < b.id", true,
          "SELECT a.id, b.id AS bid FROM s_a a JOIN s_b b ON a.name = b.name", false,
          "SELECT a.id, b.id AS bid FROM s_a a JOIN s_b b ON a.k < b.k", false,
          "SELECT a.id, b.id AS bid FROM s_a a JOIN s_b b ON a.k = b.k OR a.id = b.id", false,
          "SELECT a.id, b.id AS bid, c.id AS cid FROM s_a a JOIN s_b b ON a.k = b.k"
              + " JOIN s_a c ON c.id = b.id", false,
          "SELECT a.id, b.id AS bid FROM s_a a LEFT JOIN s_b b ON a.k = b.k", false,
          "SELECT a.name FROM s_a a JOIN s_b b ON a.k = b.k", false,
          "SELECT a.id, b.name FROM s_a a JOIN s_b b ON a.k = b.k", true);
      int i = 0;
      for (Map.Entry<String, Boolean> shape : shapes.entrySet()) {
        String name = "shape_" + i++;
        st.execute("SELECT pgtrickle.create_stream_table('" + name + "', $q$" + shape.getKey()
            + "$q$, refresh_mode => 'IMMEDIATE')");
        assertThat(locksKeys(st, name)).as(shape.getKey()).isEqualTo(shape.getValue());
        st.execute("INSERT INTO s_a VALUES (" + i + ", " + i + ", 'x')");
        st.execute("INSERT INTO s_b VALUES (" + i + ", " + i + ", 'x')");
        assertThat(StreamTableChecks.difference(st, name, shape.getKey())).as(shape.getKey()).isZero();
        st.execute("SELECT pgtrickle.drop_stream_table('" + name + "')");
      }
    }
  }

  /** Whether the stream table's lock table has a row per bucket of key values. */
  private static boolean locksKeys(Statement st, String name) throws SQLException {
    return StreamTableChecks.value(st, "SELECT count(*) FROM pg_catalog.pg_attribute"
        + " WHERE attname = 'bucket' AND attrelid = ('pgtrickle.__pgt_imm_lock_' || (SELECT pgt_id"
        + " FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '" + name + "'))::regclass") == 1;
  }

  static Stream<Integer> isolations() {
    return Stream.of(Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_REPEATABLE_READ,
        Connection.TRANSACTION_SERIALIZABLE);
  }

  @ParameterizedTest(name = "isolation {0}")
  @MethodSource("isolations")
  void aStatementWaitsOnlyForWritersOfItsKey(int isolation) throws Exception {
    try (Connection holder = db.connect();
        Statement h = holder.createStatement();
        Connection other = writer.connect();
        Statement o = other.createStatement();
        Connection fresh = writer.connect();
        Statement f = fresh.createStatement()) {
      other.setTransactionIsolation(isolation);
      fresh.setTransactionIsolation(isolation);
      h.execute("SELECT pg_advisory_lock(4242)");
      List<Throwable> failed = new ArrayList<>();
      Thread held = new Thread(() -> {
        try (Connection c = writer.connect(); Statement st = c.createStatement()) {
          c.setTransactionIsolation(isolation);
          st.execute("SET test.hold = 'on'");
          st.execute("SET pgtrickle.__pgt_imm_single = 33"); // as after 32 single statements
          st.execute("UPDATE accounts SET balance = balance + 1 WHERE aid = 1"); // branch 2
        } catch (Throwable e) {
          failed.add(e);
        }
      });
      o.execute("SET pgtrickle.__pgt_imm_single = 33");
      held.start();
      awaitHeld(h);
      o.execute("SET lock_timeout = '5s'");
      o.execute("UPDATE accounts SET balance = balance + 1 WHERE aid = 2"); // branch 3
      o.execute("UPDATE branches SET name = name || '.' WHERE bid = 4");
      o.execute("INSERT INTO accounts VALUES (1001, 5, 7)");
      o.execute("UPDATE accounts SET bid = 6 WHERE aid = 1001");
      o.execute("DELETE FROM accounts WHERE aid = 1001");
      o.execute("INSERT INTO notes VALUES (7, 1)");
      o.execute("WITH t AS (INSERT INTO tellers VALUES (1001, 8)) DELETE FROM tellers WHERE tid = 3");
      o.execute("SET lock_timeout = '300ms'");
      assertThatThrownBy(() -> o.execute("UPDATE accounts SET balance = balance + 1 WHERE aid = 11"))
          .as("a writer of the held key waits for it")
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("55P03"));
      assertThatThrownBy(() -> o.execute("UPDATE branches SET name = name || '.' WHERE bid = 2"))
          .as("a writer of another source and the held key waits for it")
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("55P03"));
      assertThatThrownBy(() -> o.execute("UPDATE accounts SET bid = 2 WHERE aid = 4"))
          .as("a writer moving a row into the held key waits for it")
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("55P03"));
      f.execute("SET lock_timeout = '300ms'");
      assertThatThrownBy(() -> f.execute("UPDATE accounts SET balance = balance + 1 WHERE aid = 7"))
          .as("a session without that history waits for every writer")
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("55P03"));
      o.execute("SET lock_timeout = '10s'");
      List<SQLException> waited = new ArrayList<>();
      Thread waiter = new Thread(() -> {
        try {
          o.execute("INSERT INTO tellers VALUES (1002, 2)"); // joins the held statement's change
        } catch (SQLException e) {
          waited.add(e);
        }
      });
      waiter.start();
      awaitWaiting(h);
      h.execute("SELECT pg_advisory_unlock(4242)");
      held.join();
      waiter.join();
      if (isolation == Connection.TRANSACTION_SERIALIZABLE) {
        // Predicate locks of small tables cover whole pages: any writer may be the one to fail.
        assertThat(failed).as("the held writer").allSatisfy(e -> assertThat(e)
            .isInstanceOfSatisfying(SQLException.class, x -> assertThat(x.getSQLState()).isEqualTo("40001")));
        assertThat(waited).as("the waiting writer").allSatisfy(e ->
            assertThat(e.getSQLState()).isEqualTo("40001"));
      } else {
        assertThat(failed).as("the held writer").isEmpty();
        if (isolation == Connection.TRANSACTION_READ_COMMITTED) {
          assertThat(waited).as("the waiting writer goes on from what the held one committed").isEmpty();
        } else {
          assertThat(waited).as("the waiting writer's snapshot misses the held one's commit")
              .singleElement().satisfies(e -> assertThat(e.getSQLState()).isEqualTo("40001"));
        }
      }
      if (!waited.isEmpty()) {
        o.execute("INSERT INTO tellers VALUES (1002, 2)");
      }
      o.execute("DELETE FROM tellers WHERE tid >= 1001");
      o.execute("INSERT INTO tellers VALUES (3, 4)");
    }
    try (Statement st = owner.createStatement()) {
      assertExact(st);
    }
  }

  @Test
  void aWriterWhoseSnapshotMissesATruncateFailsOutsideReadCommitted() throws SQLException {
    try (Connection c = writer.connect(); Statement st = c.createStatement()) {
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setAutoCommit(false);
      st.execute("SELECT count(*) FROM branches"); // takes the snapshot
      try (Statement o = owner.createStatement()) {
        o.execute("TRUNCATE tellers");
      }
      assertThatThrownBy(() -> st.execute("INSERT INTO accounts VALUES (1003, 3, 0)"))
          .as("the write would join the tellers its snapshot still sees")
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("40001"));
      c.rollback();
    }
    try (Statement st = owner.createStatement()) {
      st.execute("INSERT INTO tellers SELECT g, g % 10 + 1 FROM generate_series(1, 20) g");
      assertExact(st);
    }
  }

  /** Waits until a session is blocked on advisory lock 4242, inside its statement. */
  private static void awaitHeld(Statement h) throws Exception {
    await(h, "objid = 4242", "the held statement never reached its hold");
  }

  /** Waits until a session is blocked on a key lock. */
  private static void awaitWaiting(Statement h) throws Exception {
    await(h, "objsubid = 2", "the waiting statement never waited for the key");
  }

  private static void await(Statement h, String lock, String message) throws Exception {
    for (int i = 0; i < 30000; i++) {
      try (ResultSet rs = h.executeQuery("SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory'"
          + " AND " + lock + " AND NOT granted")) {
        rs.next();
        if (rs.getLong(1) > 0) {
          return;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError(message);
  }

  @ParameterizedTest(name = "isolation {0}, {1} sessions")
  @MethodSource("dev.trickle.testing.WritersWithRefresher#cases")
  void writersOfRandomKeysStayExact(int isolation, int sessions, int transactions) throws Exception {
    WritersWithRefresher.run(db, sessions, "totals", WritersWithRefresher.randomChanges(
        writer, isolation, sessions, transactions, ImmediateJoinKeyLockTest::change))
        .assertOnlySerializationFailures(isolation);
    try (Statement st = owner.createStatement()) {
      st.execute("SELECT pgtrickle.refresh_stream_table('totals')");
      assertExact(st);
      assertThat(StreamTableChecks.difference(st, "totals", TOTALS)).as("totals").isZero();
    }
  }

  private static void assertExact(Statement st) throws SQLException {
    assertThat(StreamTableChecks.difference(st, "account_branches", ACCOUNT_BRANCHES)).as("account_branches").isZero();
    assertThat(StreamTableChecks.difference(st, "teller_accounts", TELLER_ACCOUNTS)).as("teller_accounts").isZero();
    assertThat(StreamTableChecks.difference(st, "note_copies", NOTE_COPIES)).as("note_copies").isZero();
    assertThat(StreamTableChecks.difference(st, "account_notes", ACCOUNT_NOTES)).as("account_notes").isZero();
    assertThat(StreamTableChecks.difference(st, "copies", COPIES)).as("copies").isZero();
  }

  private static String change(Random r) {
    int key = 1 + r.nextInt(BRANCHES);
    int aid = 1 + r.nextInt(240);
    return switch (r.nextInt(12)) {
      case 0 -> "INSERT INTO accounts VALUES (" + aid + ", " + key + ", " + r.nextInt(100)
          + ") ON CONFLICT (aid) DO UPDATE SET bid = excluded.bid, balance = accounts.balance + 1";
      case 1 -> "DELETE FROM accounts WHERE aid = " + aid;
      case 2 -> "UPDATE accounts SET bid = " + key + " WHERE aid = " + aid;
      case 3 -> "INSERT INTO branches VALUES (" + key + ", 'branch " + key + "')"
          + " ON CONFLICT (bid) DO UPDATE SET name = branches.name || '.'";
      case 4 -> "DELETE FROM branches WHERE bid = " + key;
      case 5 -> "INSERT INTO tellers VALUES (" + (1 + r.nextInt(30)) + ", " + key
          + ") ON CONFLICT (tid) DO UPDATE SET bid = excluded.bid";
      case 6 -> "INSERT INTO notes VALUES (" + key + ", " + r.nextInt(2) + ")";
      case 7 -> "DELETE FROM notes WHERE ctid = (SELECT ctid FROM notes WHERE bid = " + key + " LIMIT 1)";
      case 8 -> "INSERT INTO tags VALUES (" + key + ", " + r.nextInt(2) + ")";
      case 9 -> "DELETE FROM tags WHERE ctid = (SELECT ctid FROM tags WHERE k = " + key + " LIMIT 1)";
      case 10 -> "WITH n AS (INSERT INTO notes VALUES (" + key + ", 1)) UPDATE accounts"
          + " SET balance = balance - 1 WHERE aid = " + aid;
      default -> "UPDATE accounts SET balance = balance + " + (r.nextInt(21) - 10) + " WHERE aid = " + aid;
    };
  }
}
