package dev.trickle.service;

import static dev.trickle.service.SqlStates.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.LoginRole;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.StreamTableChecks;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
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
 * A source that only IMMEDIATE stream tables read carries no change capture: no capture triggers,
 * no change buffer, no registration. A stream table that consumes buffers (DIFFERENTIAL, FULL)
 * installs capture when it starts reading the source, and the last of them takes it away again,
 * whether it is dropped or switched to IMMEDIATE. Created and altered both as SQL text and through
 * the functions; the source written by a writer role granted only its rows, and by a superuser;
 * the oracle (stream table equals its query as a multiset) after every step. Seeded: a failure
 * names its seed, {@code -Dtrickle.oracle.seed=<seed>} repeats it.
 */
class ImmediateWithoutCaptureTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final int WRITERS = 3;
  private static final String WRITER = "trickle_nocap_writer";
  private static final String PASSWORD = "nocap-secret";
  private static final String JOINED =
      "SELECT s.id, s.v, d.label FROM src s JOIN dim d ON d.id = s.grp";
  private static final String GROUPS =
      "SELECT grp, count(*) AS n, sum(v) AS total FROM src GROUP BY grp";
  private static final String CAPTURED = "4 capture triggers, buffer true, registered 1";
  private static final String NOT_CAPTURED = "0 capture triggers, buffer false, registered 0";

  private final long seed = Long.getLong("trickle.oracle.seed", System.nanoTime());
  private final Random random = new Random(seed);
  private LoginRole writer;
  private Connection owner;
  private Statement os;

  @BeforeEach
  void schema() throws SQLException {
    writer = LoginRole.ensure(db, WRITER, PASSWORD);
    owner = db.connectWithoutScheduler();
    os = owner.createStatement();
    os.execute("CREATE EXTENSION pg_trickle");
    os.execute("CREATE TABLE dim (id int PRIMARY KEY, label text)");
    os.execute("CREATE TABLE src (id int PRIMARY KEY, grp int, v int)");
    os.execute("INSERT INTO dim SELECT g, 'g' || g FROM generate_series(0, 4) g");
    os.execute("INSERT INTO src SELECT g, g % 6, g * 10 FROM generate_series(1, 40) g");
    os.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON src, dim TO " + WRITER);
  }

  @AfterEach
  void dropAll() throws SQLException {
    owner.setAutoCommit(true);
    os.execute("DROP EXTENSION pg_trickle CASCADE");
    os.execute("DROP TABLE src, dim");
    owner.close();
  }

  @Test
  void immediateReadersInstallNoCaptureAndADeferredReaderInstallsItWithAnExactFrontier()
      throws SQLException {
    os.execute("CREATE STREAM TABLE joined WITH (refresh_mode = 'IMMEDIATE') AS " + JOINED);
    os.execute("SELECT pgtrickle.create_stream_table('groups', $$" + GROUPS
        + "$$, refresh_mode => 'IMMEDIATE')");
    assertThat(capture("src")).as("src, read by IMMEDIATE stream tables only")
        .isEqualTo(NOT_CAPTURED);
    assertThat(capture("dim")).as("dim, read by IMMEDIATE stream tables only")
        .isEqualTo(NOT_CAPTURED);
    assertThat(inventoryRows()).as("capture triggers the inventory expects").isZero();
    writeAsWriterAndSuperuser(20);
    assertCurrent("joined", JOINED, "IMMEDIATE without capture, " + seed);
    assertCurrent("groups", GROUPS, "IMMEDIATE without capture, " + seed);
    os.execute("SELECT pgtrickle.refresh_stream_table('groups')");
    assertCurrent("groups", GROUPS, "IMMEDIATE refreshed without a buffer, " + seed);

    os.execute("CREATE STREAM TABLE deferred WITH (refresh_mode = 'DIFFERENTIAL') AS " + GROUPS);
    assertThat(capture("src")).as("src once a DIFFERENTIAL stream table reads it")
        .isEqualTo(CAPTURED);
    assertThat(capture("dim")).as("dim, still read by IMMEDIATE stream tables only")
        .isEqualTo(NOT_CAPTURED);
    assertThat(inventoryRows()).as("capture triggers the inventory expects").isEqualTo(4);
    assertThat(sources("joined")).as("list_sources of an IMMEDIATE stream table")
        .isEqualTo("public.dim none, public.src none");
    assertThat(sources("deferred")).as("list_sources of a DIFFERENTIAL stream table")
        .isEqualTo("public.src trigger");
    for (int round = 1; round <= 4; round++) {
      writeAsWriterAndSuperuser(15);
      os.execute("SELECT pgtrickle.refresh_stream_table('deferred')");
      assertThat(StreamTableChecks.lastAction(os, "deferred"))
          .as("refresh %d of the new DIFFERENTIAL stream table, seed %d", round, seed)
          .isEqualTo("DIFFERENTIAL");
      assertCurrent("deferred", GROUPS, "DIFFERENTIAL, round " + round + ", seed " + seed);
      assertCurrent("joined", JOINED, "IMMEDIATE beside it, round " + round + ", seed " + seed);
      assertCurrent("groups", GROUPS, "IMMEDIATE beside it, round " + round + ", seed " + seed);
    }
  }

  @Test
  void droppingTheLastDeferredReaderRemovesCaptureAndImmediateReadersKeepIt() throws SQLException {
    os.execute("CREATE STREAM TABLE joined WITH (refresh_mode = 'IMMEDIATE') AS " + JOINED);
    os.execute("CREATE STREAM TABLE deferred WITH (refresh_mode = 'DIFFERENTIAL') AS " + GROUPS);
    os.execute("SELECT pgtrickle.create_stream_table('full_groups', $$" + GROUPS
        + "$$, refresh_mode => 'FULL')");
    writeAsWriterAndSuperuser(10);
    os.execute("DROP STREAM TABLE joined");
    assertThat(capture("src")).as("src after dropping its IMMEDIATE reader").isEqualTo(CAPTURED);
    os.execute("CREATE STREAM TABLE joined WITH (refresh_mode = 'IMMEDIATE') AS " + JOINED);
    os.execute("DROP STREAM TABLE deferred");
    assertThat(capture("src")).as("src while a FULL stream table reads it").isEqualTo(CAPTURED);
    writeAsWriterAndSuperuser(10);
    os.execute("SELECT pgtrickle.refresh_stream_table('full_groups')");
    assertCurrent("full_groups", GROUPS, "FULL, seed " + seed);
    os.execute("SELECT pgtrickle.drop_stream_table('full_groups')");
    assertThat(capture("src")).as("src with only an IMMEDIATE reader left")
        .isEqualTo(NOT_CAPTURED);
    assertThat(value("SELECT count(*) FROM pgtrickle.pgt_frontiers")).as("frontiers").isZero();
    writeAsWriterAndSuperuser(20);
    assertCurrent("joined", JOINED, "IMMEDIATE after its last deferred neighbour went, " + seed);
  }

  /**
   * A chain: a DIFFERENTIAL stream table read only by an IMMEDIATE one has no capture on its
   * storage; the IMMEDIATE one follows each refresh of it, and a DIFFERENTIAL reader added later
   * captures the storage from its first refresh on.
   */
  @Test
  void aStreamTableReadOnlyByImmediateOnesIsNotCapturedAndTheChainStaysExact()
      throws SQLException {
    os.execute("CREATE STREAM TABLE groups WITH (refresh_mode = 'DIFFERENTIAL') AS " + GROUPS);
    String upper = "SELECT g.grp, g.total, d.label FROM groups g JOIN dim d ON d.id = g.grp";
    os.execute("CREATE STREAM TABLE upper_imm WITH (refresh_mode = 'IMMEDIATE') AS " + upper);
    assertThat(capture("groups")).as("storage of groups, read by an IMMEDIATE stream table")
        .isEqualTo(NOT_CAPTURED);
    assertThat(capture("src")).as("src, read by DIFFERENTIAL groups").isEqualTo(CAPTURED);
    for (int round = 1; round <= 3; round++) {
      writeAsWriterAndSuperuser(15);
      os.execute("SELECT pgtrickle.refresh_stream_table('groups')");
      assertCurrent("groups", GROUPS, "round " + round + ", seed " + seed);
      assertCurrent("upper_imm", upper, "IMMEDIATE over it, round " + round + ", seed " + seed);
    }
    String counted = "SELECT count(*) AS n, sum(total) AS total FROM groups";
    os.execute("SELECT pgtrickle.create_stream_table('upper_diff', $$" + counted
        + "$$, refresh_mode => 'DIFFERENTIAL')");
    assertThat(capture("groups")).as("storage of groups, once read by a DIFFERENTIAL one")
        .isEqualTo(CAPTURED);
    for (int round = 1; round <= 3; round++) {
      writeAsWriterAndSuperuser(15);
      os.execute("SELECT pgtrickle.refresh_stream_table('groups')");
      os.execute("SELECT pgtrickle.refresh_stream_table('upper_diff')");
      assertThat(StreamTableChecks.lastAction(os, "upper_diff")).as("round %d", round)
          .isIn("DIFFERENTIAL", "NO_DATA");
      assertCurrent("upper_diff", counted, "round " + round + ", seed " + seed);
      assertCurrent("upper_imm", upper, "round " + round + ", seed " + seed);
    }
  }

  /**
   * Switching the only deferred reader to IMMEDIATE removes the capture, and back installs it;
   * both as SQL text and through the function, inside the caller's transaction too. A REPEATABLE
   * READ transaction, whose snapshot may predate writes, cannot install it.
   */
  @Test
  void switchingModesInstallsAndRemovesCapture() throws SQLException {
    os.execute("CREATE STREAM TABLE groups WITH (refresh_mode = 'DIFFERENTIAL') AS " + GROUPS);
    writeAsWriterAndSuperuser(10);
    os.execute("ALTER STREAM TABLE groups SET (refresh_mode = 'IMMEDIATE')");
    assertThat(capture("src")).as("after the switch to IMMEDIATE").isEqualTo(NOT_CAPTURED);
    assertThat(value("SELECT count(*) FROM pgtrickle.pgt_frontiers")).as("frontiers").isZero();
    assertCurrent("groups", GROUPS, "right after the switch, seed " + seed);
    writeAsWriterAndSuperuser(10);
    assertCurrent("groups", GROUPS, "IMMEDIATE, seed " + seed);

    owner.setAutoCommit(false);
    owner.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    assertFails(
        () -> os.execute("SELECT pgtrickle.alter_stream_table('groups', refresh_mode =>"
            + " 'DIFFERENTIAL')"),
        "0A000", "needs change capture on public.src", "READ COMMITTED");
    owner.rollback();
    owner.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);

    os.execute("UPDATE src SET v = v + 1 WHERE id % 3 = 0");
    os.execute("SELECT pgtrickle.alter_stream_table('groups', refresh_mode => 'DIFFERENTIAL')");
    os.execute("DELETE FROM src WHERE id % 7 = 0");
    owner.commit();
    owner.setAutoCommit(true);
    assertThat(capture("src")).as("after the switch back in a transaction").isEqualTo(CAPTURED);
    writeAsWriterAndSuperuser(10);
    os.execute("SELECT pgtrickle.refresh_stream_table('groups')");
    assertThat(StreamTableChecks.lastAction(os, "groups")).as("first refresh after the switch")
        .isEqualTo("DIFFERENTIAL");
    assertCurrent("groups", GROUPS, "DIFFERENTIAL after the switch back, seed " + seed);
  }

  /**
   * {@value #WRITERS} writer sessions write the source all along while the only deferred reader
   * switches between DIFFERENTIAL and IMMEDIATE (an IMMEDIATE neighbour stays): after each switch
   * the capture matches the mode, and once the writers stop, a refresh brings the stream table to
   * its query exactly: no change lost or doubled around a switch.
   */
  @Test
  void switchesUnderConcurrentWritersLoseAndDoubleNothing() throws Exception {
    os.execute("CREATE STREAM TABLE joined WITH (refresh_mode = 'IMMEDIATE') AS " + JOINED);
    os.execute("CREATE STREAM TABLE groups WITH (refresh_mode = 'DIFFERENTIAL') AS " + GROUPS);
    // A switch and a writer may meet in a deadlock; the switch is retried.
    os.execute("SET pg_trickle.max_consecutive_errors = 1000");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger writes = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      Random r = new Random(seed + w);
      writers.add(new Thread(() -> keepWriting(r, stop, writes, failure)));
    }
    writers.forEach(Thread::start);
    try {
      for (int step = 1; step <= 6; step++) {
        boolean toImmediate = step % 2 == 1;
        String mode = toImmediate ? "IMMEDIATE" : "DIFFERENTIAL";
        retrying(step % 4 < 2
            ? "ALTER STREAM TABLE groups SET (refresh_mode = '" + mode + "')"
            : "SELECT pgtrickle.alter_stream_table('groups', refresh_mode => '" + mode + "')");
        assertThat(capture("src")).as("after switch %d to %s", step, mode)
            .isEqualTo(toImmediate ? NOT_CAPTURED : CAPTURED);
        Thread.sleep(150);
        if (!toImmediate) {
          retrying("SELECT pgtrickle.refresh_stream_table('groups')");
        }
      }
      retrying("ALTER STREAM TABLE groups SET (refresh_mode = 'DIFFERENTIAL')");
      Thread.sleep(150);
    } finally {
      stop.set(true);
      for (Thread t : writers) {
        t.join();
      }
    }
    assertThat(failure.get()).as("a writer's failure").isNull();
    assertThat(writes.get()).as("writes during the switches").isPositive();
    os.execute("SELECT pgtrickle.refresh_stream_table('groups')");
    assertThat(StreamTableChecks.lastAction(os, "groups")).as("the refresh after the writers")
        .isIn("DIFFERENTIAL", "NO_DATA");
    assertCurrent("groups", GROUPS, "after the switches and a refresh, seed " + seed);
    assertCurrent("joined", JOINED, "IMMEDIATE through the switches, seed " + seed);
  }

  private void keepWriting(
      Random r, AtomicBoolean stop, AtomicInteger writes, AtomicReference<Throwable> failure) {
    try (Connection w = writer.connect();
        Statement ws = w.createStatement()) {
      while (!stop.get()) {
        boolean block = r.nextInt(4) == 0;
        try {
          if (block) {
            w.setAutoCommit(false);
          }
          for (int i = block ? 1 + r.nextInt(3) : 1; i > 0; i--) {
            ws.execute(change(r));
          }
          if (block) {
            w.commit();
          }
          writes.incrementAndGet();
        } catch (SQLException e) {
          if (!"40P01".equals(e.getSQLState())) {
            throw e;
          }
          if (block) {
            w.rollback();
          }
        } finally {
          w.setAutoCommit(true);
        }
      }
    } catch (Throwable e) {
      failure.compareAndSet(null, e);
    }
  }

  private void retrying(String sql) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        os.execute(sql);
        return;
      } catch (SQLException e) {
        boolean retry = "40P01".equals(e.getSQLState()) || "40001".equals(e.getSQLState());
        if (!retry || attempt == 20) {
          throw e;
        }
      }
    }
  }

  /** {@code n} random changes as the writer role, then one as the superuser. */
  private void writeAsWriterAndSuperuser(int n) throws SQLException {
    try (Connection w = writer.connect();
        Statement ws = w.createStatement()) {
      for (int i = 0; i < n; i++) {
        ws.execute(change(random));
      }
    }
    try (Connection admin = db.connectAdmin();
        Statement as = admin.createStatement()) {
      as.execute(change(random));
    }
  }

  private static String change(Random r) {
    int id = 1 + r.nextInt(60);
    return switch (r.nextInt(5)) {
      case 0, 1 -> "INSERT INTO src VALUES (" + id + ", " + r.nextInt(6) + ", " + r.nextInt(100)
          + ") ON CONFLICT (id) DO UPDATE SET v = excluded.v";
      case 2 -> "UPDATE src SET v = v + " + (1 + r.nextInt(9)) + " WHERE id = " + id;
      case 3 -> "UPDATE src SET grp = " + r.nextInt(6) + " WHERE id = " + id;
      default -> "DELETE FROM src WHERE id = " + id;
    };
  }

  /** Capture triggers on {@code table}, whether its buffer exists and its registrations. */
  private static String capture(String table) throws SQLException {
    try (Connection admin = db.connectAdmin();
        Statement a = admin.createStatement();
        ResultSet rs =
            a.executeQuery(
                "SELECT (SELECT count(*) FROM pg_trigger WHERE tgrelid = '" + table
                    + "'::regclass AND tgname LIKE 'pgtrickle\\_capture\\_%') || ' capture"
                    + " triggers, buffer ' || (to_regclass('pgtrickle_changes.changes_' || '"
                    + table + "'::regclass::oid) IS NOT NULL) || ', registered '"
                    + " || (SELECT count(*) FROM pgtrickle.pgt_change_buffers"
                    + " WHERE source_relid = '" + table + "'::regclass)")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private long inventoryRows() throws SQLException {
    return value("SELECT count(*) FROM pgtrickle.trigger_inventory()"
        + " WHERE trigger_type LIKE 'CAPTURE%'");
  }

  /** {@code list_sources}: each source and its cdc_mode. */
  private String sources(String streamTable) throws SQLException {
    try (ResultSet rs = os.executeQuery("SELECT string_agg(source_table || ' ' || cdc_mode, ', '"
        + " ORDER BY source_table) FROM pgtrickle.list_sources('" + streamTable + "')")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private long value(String query) throws SQLException {
    return StreamTableChecks.value(os, query);
  }

  private void assertCurrent(String name, String query, String when) throws SQLException {
    assertThat(StreamTableChecks.difference(os, name, query))
        .as("%s differs from its query, %s", name, when)
        .isZero();
  }
}
