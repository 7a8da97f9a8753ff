package dev.trickle.service;

import static dev.trickle.service.SqlStates.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.StreamTableChecks;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Switching a stream table to IMMEDIATE and back: the switch to IMMEDIATE brings in the changes
 * that waited in the buffers (and the triggers maintain from there), the switch back to a deferred
 * mode leaves a frontier that loses nothing. Writes are pending before every switch, switches run
 * in autocommit and inside the caller's transaction, and a concurrent writer keeps writing through
 * them; the oracle (stream table equals its query) is checked after every step. Seeded: a failure
 * names its seed, {@code -Dtrickle.oracle.seed=<seed>} repeats it.
 */
class ImmediateModeSwitchTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  /** The Getting Started's department_stats shape over a stream table, and two plainer ones. */
  private static final String TREE = "SELECT id, name, parent_id FROM departments";
  private static final String STATS =
      "SELECT t.id AS department_id, t.name AS department_name, count(e.id) AS headcount,"
          + " COALESCE(sum(e.salary), 0) AS total_salary, COALESCE(avg(e.salary), 0) AS avg_salary"
          + " FROM department_tree t LEFT JOIN employees e ON e.department_id = t.id"
          + " GROUP BY t.id, t.name";
  private static final String JOINED =
      "SELECT e.id, e.salary, d.name FROM employees e JOIN departments d ON d.id = e.department_id";
  private static final String COUNTS =
      "SELECT department_id, count(*) AS n, sum(salary) AS total FROM employees GROUP BY department_id";
  private static final List<String> NAMES = List.of("department_stats", "joined", "counts");
  private static final List<String> QUERIES = List.of(STATS, JOINED, COUNTS);

  private Connection c;
  private Statement s;

  @BeforeEach
  void schema() throws SQLException {
    c = db.connectWithoutScheduler();
    s = c.createStatement();
    s.execute("CREATE EXTENSION pg_trickle");
    s.execute("CREATE TABLE departments (id int PRIMARY KEY, name text, parent_id int)");
    s.execute("CREATE TABLE employees (id int PRIMARY KEY, department_id int, salary numeric(10,2))");
    s.execute("INSERT INTO departments SELECT g, 'd' || g, NULLIF(g / 3, 0) FROM generate_series(1, 8) g");
    s.execute("INSERT INTO employees SELECT g, g % 9, g * 1000 FROM generate_series(1, 20) g");
    s.execute("SELECT pgtrickle.create_stream_table('department_tree', $$" + TREE
        + "$$, refresh_mode => 'DIFFERENTIAL')");
    for (int i = 0; i < NAMES.size(); i++) {
      s.execute("SELECT pgtrickle.create_stream_table('" + NAMES.get(i) + "', $$" + QUERIES.get(i)
          + "$$, refresh_mode => 'DIFFERENTIAL')");
    }
  }

  @AfterEach
  void dropAll() throws SQLException {
    c.setAutoCommit(true);
    s.execute("DROP EXTENSION pg_trickle CASCADE");
    s.execute("DROP TABLE departments, employees");
    c.close();
  }

  /** The seed's department_stats, switched to IMMEDIATE with a change pending, then written. */
  @Test
  void gettingStartedStatsSwitchedToImmediateStayCurrent() throws SQLException {
    s.execute("INSERT INTO employees VALUES (100, 5, 100000)");
    alter("department_stats", "IMMEDIATE");
    assertCurrent("department_stats", STATS, "right after the switch");
    s.execute("INSERT INTO employees VALUES (101, 5, 120000), (102, NULL, 1)");
    assertCurrent("department_stats", STATS, "after an INSERT into employees");
    s.execute("INSERT INTO departments VALUES (50, 'new', 1)");
    s.execute("SELECT pgtrickle.refresh_stream_table('department_tree')");
    s.execute("INSERT INTO employees VALUES (103, 50, 7)");
    assertCurrent("department_stats", STATS, "after the upstream's refresh and a write");
  }

  /** Random writes and random switches between the three modes, in autocommit. */
  @Test
  void switchesInAutocommitLoseNothing() throws SQLException {
    switchAtRandom(false);
  }

  /** The same, each switch inside the caller's transaction with its own writes around it. */
  @Test
  void switchesInsideTheCallersTransactionLoseNothing() throws SQLException {
    switchAtRandom(true);
  }

  private void switchAtRandom(boolean inTransaction) throws SQLException {
    long seed = Long.getLong("trickle.oracle.seed", System.nanoTime());
    Random r = new Random(seed);
    String[] modes = {"IMMEDIATE", "DIFFERENTIAL", "FULL"};
    String[] current = {"DIFFERENTIAL", "DIFFERENTIAL", "DIFFERENTIAL"};
    for (int step = 1; step <= 24; step++) {
      String at = "seed " + seed + ", step " + step + (inTransaction ? ", in a transaction" : "");
      if (inTransaction) {
        c.setAutoCommit(false);
      }
      for (int i = r.nextInt(4); i >= 0; i--) {
        s.execute(change(r));
      }
      int which = r.nextInt(NAMES.size());
      String mode = modes[r.nextInt(modes.length)];
      alter(NAMES.get(which), mode);
      current[which] = mode;
      if (mode.equals("IMMEDIATE")) {
        assertCurrent(NAMES.get(which), QUERIES.get(which), "right after the switch, " + at);
      }
      for (int i = r.nextInt(3); i >= 0; i--) {
        s.execute(change(r));
      }
      if (inTransaction) {
        if (r.nextInt(5) == 0) {
          c.rollback();
          current[which] = modeOf(NAMES.get(which));
        } else {
          c.commit();
        }
        c.setAutoCommit(true);
      }
      for (int i = 0; i < NAMES.size(); i++) {
        if (current[i].equals("IMMEDIATE")) {
          assertCurrent(NAMES.get(i), QUERIES.get(i), "IMMEDIATE, no refresh, " + at);
        }
      }
      s.execute("SELECT pgtrickle.refresh_stream_table('department_tree')");
      for (int i = 0; i < NAMES.size(); i++) {
        s.execute("SELECT pgtrickle.refresh_stream_table('" + NAMES.get(i) + "')");
        assertCurrent(NAMES.get(i), QUERIES.get(i), current[i] + " after a refresh, " + at);
      }
    }
  }

  /**
   * A writer keeps writing in autocommit on another connection while the stream tables switch
   * between IMMEDIATE and the deferred modes: once it stops, every stream table equals its query
   * (IMMEDIATE ones without a refresh).
   */
  @Test
  void concurrentWriterLosesNothingThroughSwitches() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger writes = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread writer =
        new Thread(
            () -> {
              Random r = new Random(7);
              try (Connection w = db.connectPlain();
                  Statement ws = w.createStatement()) {
                while (!stop.get()) {
                  try {
                    ws.execute(change(r));
                    writes.incrementAndGet();
                  } catch (SQLException e) {
                    if (!"40P01".equals(e.getSQLState())) {
                      throw e;
                    }
                  }
                }
              } catch (Throwable e) {
                failure.set(e);
              }
            });
    // A refresh of department_tree that a concurrent write to employees overtakes fails with
    // 40001 (its snapshot cannot see that write, which IMMEDIATE department_stats then joins
    // with), and a switch may meet the writer in a deadlock; both are retried, so the refresh's
    // failures must not suspend it.
    s.execute("SET pg_trickle.max_consecutive_errors = 1000");
    writer.start();
    String[] cycle = {"IMMEDIATE", "DIFFERENTIAL", "IMMEDIATE", "FULL", "IMMEDIATE", "DIFFERENTIAL"};
    try {
      for (String mode : cycle) {
        for (String name : NAMES) {
          retrying("SELECT pgtrickle.alter_stream_table('" + name + "', refresh_mode => '" + mode
              + "')");
        }
        retrying("SELECT pgtrickle.refresh_stream_table('department_tree')");
      }
    } finally {
      stop.set(true);
      writer.join();
    }
    assertThat(failure.get()).as("the writer's failure").isNull();
    assertThat(writes.get()).as("writes during the switches").isPositive();
    s.execute("SELECT pgtrickle.refresh_stream_table('department_tree')");
    for (int i = 0; i < NAMES.size(); i++) {
      s.execute("SELECT pgtrickle.refresh_stream_table('" + NAMES.get(i) + "')");
      assertCurrent(NAMES.get(i), QUERIES.get(i), "after the writer stopped");
    }
  }

  /**
   * A caller's REPEATABLE READ transaction may have a snapshot older than writes that commit
   * before the triggers exist: the switch is refused there and nothing changes.
   */
  @Test
  void switchInsideRepeatableReadIsRefused() throws SQLException {
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    assertFails(
        () -> alter("counts", "IMMEDIATE"),
        "0A000",
        "stream table public.counts cannot start refresh_mode IMMEDIATE inside a REPEATABLE READ");
    c.rollback();
    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    c.setAutoCommit(true);
    assertThat(modeOf("counts")).isEqualTo("DIFFERENTIAL");
    assertThat(StreamTableChecks.value(s, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE '__pgt_imm%'"))
        .isZero();
  }

  /**
   * A partitioned source: a statement fires only the triggers of the table it names, so writes
   * naming a partition must be maintained as well as writes through the parent.
   */
  @Test
  void partitionedSourceIsMaintainedWhateverTableAWriteNames() throws SQLException {
    s.execute("CREATE TABLE events (id int, part int, v int) PARTITION BY LIST (part)");
    s.execute("CREATE TABLE events_a PARTITION OF events FOR VALUES IN (1)");
    s.execute("CREATE TABLE events_b PARTITION OF events FOR VALUES IN (2, 3)");
    s.execute("INSERT INTO events VALUES (1, 1, 10), (2, 2, 20)");
    String query = "SELECT part, count(*) AS n, sum(v) AS total FROM events GROUP BY part";
    s.execute("SELECT pgtrickle.create_stream_table('event_totals', $$" + query
        + "$$, refresh_mode => 'IMMEDIATE')");
    s.execute("INSERT INTO events_a VALUES (3, 1, 5), (4, 1, NULL)");
    assertCurrent("event_totals", query, "after an INSERT naming a partition");
    s.execute("UPDATE events_b SET v = v + 1, part = 3");
    s.execute("UPDATE events SET part = 2 WHERE id = 3");
    assertCurrent("event_totals", query, "after UPDATEs naming a partition and moving a row");
    s.execute("DELETE FROM events_a WHERE id = 4");
    s.execute("TRUNCATE events_b");
    assertCurrent("event_totals", query, "after a DELETE and a TRUNCATE of partitions");
    s.execute("SELECT pgtrickle.drop_stream_table('event_totals')");
    s.execute("DROP TABLE events");
  }

  /** An IMMEDIATE stream table is always populated: initialize => false is refused. */
  @Test
  void immediateWithoutInitializeIsRefused() {
    assertFails(
        () -> s.execute("SELECT pgtrickle.create_stream_table('lazy', $$" + COUNTS
            + "$$, refresh_mode => 'IMMEDIATE', initialize => false)"),
        "0A000",
        "stream table public.lazy cannot use refresh_mode IMMEDIATE with initialize => false");
  }

  /** Runs {@code sql}, again after a serialization failure or a deadlock (at most 50 times). */
  private void retrying(String sql) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        s.execute(sql);
        return;
      } catch (SQLException e) {
        boolean retry = "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
        if (!retry || attempt == 50) {
          throw e;
        }
      }
    }
  }

  private void alter(String name, String mode) throws SQLException {
    s.execute("SELECT pgtrickle.alter_stream_table('" + name + "', refresh_mode => '" + mode + "')");
  }

  private String modeOf(String name) throws SQLException {
    try (var rs = s.executeQuery("SELECT requested_mode FROM pgtrickle.pgt_stream_tables"
        + " WHERE pgt_name = '" + name + "'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private void assertCurrent(String name, String query, String when) throws SQLException {
    assertThat(StreamTableChecks.difference(s, name, query)).as("%s %s", name, when).isZero();
  }

  /** A random write to either source: NULLs, duplicate values, group and key changes. */
  private static String change(Random r) {
    int id = r.nextInt(40);
    String dept = r.nextInt(6) == 0 ? "NULL" : String.valueOf(r.nextInt(10));
    return switch (r.nextInt(6)) {
      case 0 -> "INSERT INTO employees VALUES (" + id + ", " + dept + ", " + r.nextInt(5) * 1000
          + "), (" + (id + 50) + ", " + dept + ", 1000) ON CONFLICT DO NOTHING";
      case 1 -> "UPDATE employees SET department_id = " + dept + ", salary = salary + 1 WHERE id % 5 = " + (id % 5);
      case 2 -> "DELETE FROM employees WHERE id = " + id;
      case 3 -> "INSERT INTO departments VALUES (" + (id % 12) + ", 'n" + r.nextInt(3) + "', NULL)"
          + " ON CONFLICT (id) DO UPDATE SET name = excluded.name";
      case 4 -> "DELETE FROM departments WHERE id = " + (8 + id % 6);
      default -> "UPDATE employees SET id = id + 200 WHERE id = " + id
          + " AND NOT EXISTS (SELECT 1 FROM employees WHERE id = " + (id + 200) + ")";
    };
  }
}
