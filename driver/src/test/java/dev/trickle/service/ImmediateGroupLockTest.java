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
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Group locking of IMMEDIATE aggregates, and writers of stream tables whose sources overlap.
 *
 * <p>An IMMEDIATE aggregate over one table ({@code by_status}, five groups) and an IMMEDIATE join
 * of that table with another ({@code order_items}: the two share {@code orders}), a DIFFERENTIAL
 * stream table over the aggregate refreshed again and again by another session, and a writer
 * role with grants on the sources only; and an IMMEDIATE aggregate over a table no other stream
 * table reads ({@code paid}). A session that wrote 32 transactions of one statement in a row
 * waits only for writers of its groups; another session waits for every writer. Two and eight
 * sessions under READ COMMITTED, REPEATABLE READ and SERIALIZABLE, half of them writing
 * autocommit statements as such a session, half mixing them with transaction blocks of two or
 * three (updates moving orders between groups, inserts, deletes, upserts, a statement writing
 * both sources, in the order they come): no deadlock ever; under READ COMMITTED
 * no writer fails at all, under the others a serialization failure ({@code 40001}) is an accepted
 * answer and the transaction is retried; every stream table equals its query afterwards. Seeded
 * per case.
 */
class ImmediateGroupLockTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String[] STATUSES = {"new", "paid", "packed", "sent", "void"};
  private static final String BY_STATUS =
      "SELECT status, count(*) AS n, sum(amount) AS total FROM orders GROUP BY status";
  private static final String ORDER_ITEMS =
      "SELECT o.id, o.status, i.qty FROM orders o JOIN items i ON i.order_id = o.id";
  private static final String PAID =
      "SELECT status, count(*) AS n, sum(amount) AS total FROM payments GROUP BY status";
  private static final String TOTALS = "SELECT count(*) AS groups, sum(total) AS total FROM by_status";

  private static WriterFixture fixture;
  private static Connection owner;
  private static LoginRole writer;

  @BeforeAll
  static void tablesAndStreamTables() throws SQLException {
    fixture = WriterFixture.create(db, "trickle_imm_group_writer", "imm-group",
        List.of("orders", "items", "payments"), List.of(
            "CREATE TABLE orders (id int PRIMARY KEY, status text, amount int)",
            "CREATE TABLE items (order_id int, qty int)",
            "INSERT INTO orders SELECT g, (ARRAY['new','paid','packed','sent','void'])[g % 5 + 1],"
                + " g FROM generate_series(1, 100) g",
            "INSERT INTO items SELECT g % 100 + 1, g FROM generate_series(1, 150) g",
            "CREATE TABLE payments (id int PRIMARY KEY, status text, amount int)",
            "INSERT INTO payments SELECT g, (ARRAY['new','paid','packed','sent','void'])[g % 5 + 1],"
                + " g FROM generate_series(1, 100) g",
            // Holds a statement after its maintenance, while a test session holds advisory lock 4242.
            "CREATE FUNCTION hold() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
                + " IF current_setting('test.hold', true) = 'on' THEN PERFORM pg_advisory_lock(4242);"
                + " PERFORM pg_advisory_unlock(4242); END IF; RETURN NULL; END$$",
            "CREATE TRIGGER zz_hold AFTER UPDATE ON payments FOR EACH STATEMENT EXECUTE FUNCTION hold()",
            "SELECT pgtrickle.create_stream_table('paid', $q$" + PAID
                + "$q$, refresh_mode => 'IMMEDIATE')",
            "SELECT pgtrickle.create_stream_table('by_status', $q$" + BY_STATUS
                + "$q$, refresh_mode => 'IMMEDIATE')",
            "SELECT pgtrickle.create_stream_table('order_items', $q$" + ORDER_ITEMS
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
  void aStatementWaitsOnlyForWritersOfItsGroups() throws Exception {
    try (Connection holder = db.connect();
        Statement h = holder.createStatement();
        Connection other = writer.connect();
        Statement o = other.createStatement();
        Connection fresh = writer.connect();
        Statement f = fresh.createStatement()) {
      h.execute("SELECT pg_advisory_lock(4242)");
      List<Throwable> failed = new ArrayList<>();
      Thread held = new Thread(() -> {
        try (Connection c = writer.connect(); Statement st = c.createStatement()) {
          st.execute("SET test.hold = 'on'");
          st.execute("SET pgtrickle.__pgt_imm_single = 33"); // as after 32 single statements
          st.execute("UPDATE payments SET amount = amount + 1 WHERE id = 5"); // group "new"
        } catch (Throwable e) {
          failed.add(e);
        }
      });
      // A session writes in transactions of one statement: 32 of them in a row let it lock groups.
      for (int i = 0; i < 32; i++) {
        o.execute("UPDATE payments SET amount = amount + 1 WHERE id = " + (1 + i % 100));
      }
      held.start();
      awaitHeld(h);
      o.execute("SET lock_timeout = '5s'");
      o.execute("UPDATE payments SET amount = amount + 1 WHERE id = 6"); // group "paid"
      o.execute("INSERT INTO payments VALUES (1001, 'refunded', 7)"); // a new group
      o.execute("DELETE FROM payments WHERE id = 1001");
      o.execute("SET lock_timeout = '300ms'");
      assertThatThrownBy(() -> o.execute("UPDATE payments SET amount = amount + 1 WHERE id = 10"))
          .as("a writer of the held group waits for it")
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("55P03"));
      f.execute("SET lock_timeout = '300ms'");
      assertThatThrownBy(() -> f.execute("UPDATE payments SET amount = amount + 1 WHERE id = 7"))
          .as("a session without that history waits for every writer")
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("55P03"));
      h.execute("SELECT pg_advisory_unlock(4242)");
      held.join();
      assertThat(failed).isEmpty();
    }
    try (Statement st = owner.createStatement()) {
      assertThat(StreamTableChecks.difference(st, "paid", PAID)).isZero();
    }
  }

  /** Waits until a session is blocked on advisory lock 4242, inside its statement. */
  private static void awaitHeld(Statement h) throws Exception {
    for (int i = 0; i < 30000; i++) {
      try (ResultSet rs = h.executeQuery("SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory'"
          + " AND objid = 4242 AND NOT granted")) {
        rs.next();
        if (rs.getLong(1) > 0) {
          return;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the held statement never reached its hold");
  }

  @ParameterizedTest(name = "isolation {0}, {1} sessions")
  @MethodSource("dev.trickle.testing.WritersWithRefresher#cases")
  void writersNeverDeadlockAndStayExact(int isolation, int sessions, int transactions) throws Exception {
    WritersWithRefresher.run(db, sessions, "totals", WritersWithRefresher.randomChanges(
        writer, isolation, sessions, transactions, ImmediateGroupLockTest::change))
        .assertOnlySerializationFailures(isolation);
    try (Statement st = owner.createStatement()) {
      st.execute("SELECT pgtrickle.refresh_stream_table('totals')");
      assertThat(StreamTableChecks.difference(st, "by_status", BY_STATUS)).as("by_status").isZero();
      assertThat(StreamTableChecks.difference(st, "order_items", ORDER_ITEMS)).as("order_items").isZero();
      assertThat(StreamTableChecks.difference(st, "totals", TOTALS)).as("totals").isZero();
    }
  }

  private static String change(Random r) {
    int id = 1 + r.nextInt(130);
    String status = STATUSES[r.nextInt(STATUSES.length)];
    return switch (r.nextInt(8)) {
      case 0 -> "INSERT INTO orders VALUES (" + id + ", '" + status + "', " + r.nextInt(100)
          + ") ON CONFLICT (id) DO UPDATE SET amount = orders.amount + 1, status = excluded.status";
      case 1 -> "DELETE FROM orders WHERE id = " + id;
      case 2 -> "INSERT INTO items VALUES (" + id + ", " + r.nextInt(10) + ")";
      case 3 -> "DELETE FROM items WHERE ctid = (SELECT ctid FROM items WHERE order_id = " + id + " LIMIT 1)";
      case 4 -> "WITH i AS (INSERT INTO items VALUES (" + id + ", 1)) UPDATE orders SET amount = amount - 1"
          + " WHERE id = " + id;
      default -> "UPDATE orders SET amount = amount + " + (r.nextInt(21) - 10) + ", status = '" + status
          + "' WHERE id = " + id;
    };
  }
}
