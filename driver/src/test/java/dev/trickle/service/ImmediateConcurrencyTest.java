package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.LoginRole;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.RetriedTransaction;
import dev.trickle.testing.StreamTableChecks;
import dev.trickle.testing.TestDatabase;
import dev.trickle.testing.WriterFixture;
import dev.trickle.testing.WritersWithRefresher;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The concurrency contract of IMMEDIATE maintenance: two and eight sessions of a writer role with
 * grants on the sources only, under READ COMMITTED, REPEATABLE READ and SERIALIZABLE, run
 * transactions of one to three statements (updates moving accounts between groups, inserts,
 * deletes, renames of a group, in the order they come, so two transactions meet the same rows and
 * groups in opposite orders) against an IMMEDIATE aggregate over a join and an IMMEDIATE join of
 * the same two tables, while another session refreshes a DIFFERENTIAL stream table over the join
 * again and again. No transaction ever fails with a deadlock; under REPEATABLE READ and SERIALIZABLE a
 * serialization failure ({@code 40001}) is an accepted answer (the transaction is retried), under
 * READ COMMITTED no writer gets one (the refresh, which runs in REPEATABLE READ, may); every other
 * error fails the test; and all three stream tables equal their queries afterwards. Seeded per
 * case.
 */
class ImmediateConcurrencyTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String GROUPS =
      "SELECT g.name, count(*) AS n, sum(a.bal) AS total FROM acct a JOIN grp g ON g.id = a.grp"
          + " GROUP BY g.name";
  private static final String PAIRS =
      "SELECT a.id, a.bal, g.name FROM acct a JOIN grp g ON g.id = a.grp";
  private static final String NAMES = "SELECT name, count(*) AS n, sum(bal) AS total FROM pairs GROUP BY name";

  private static WriterFixture fixture;
  private static Connection owner;
  private static LoginRole writer;

  @BeforeAll
  static void tablesAndStreamTables() throws SQLException {
    fixture = WriterFixture.create(db, "trickle_imm_concurrent_writer", "imm-concurrent",
        List.of("grp", "acct"), List.of(
            "CREATE TABLE grp (id int PRIMARY KEY, name text)",
            "CREATE TABLE acct (id int PRIMARY KEY, grp int, bal int)",
            "INSERT INTO grp SELECT g, 'g' || g FROM generate_series(1, 4) g",
            "INSERT INTO acct SELECT g, g % 4 + 1, g FROM generate_series(1, 200) g",
            "SELECT pgtrickle.create_stream_table('groups', $q$" + GROUPS
                + "$q$, refresh_mode => 'IMMEDIATE')",
            "SELECT pgtrickle.create_stream_table('pairs', $q$" + PAIRS
                + "$q$, refresh_mode => 'IMMEDIATE')",
            "SELECT pgtrickle.create_stream_table('names', $q$" + NAMES
                + "$q$, refresh_mode => 'DIFFERENTIAL', schedule => '1h')"));
    owner = fixture.owner();
    writer = fixture.writer();
  }

  @AfterAll
  static void close() throws SQLException {
    fixture.close();
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (int isolation : new int[] {Connection.TRANSACTION_READ_COMMITTED,
        Connection.TRANSACTION_REPEATABLE_READ, Connection.TRANSACTION_SERIALIZABLE}) {
      cases.add(Arguments.of(isolation, 2, 25));
      cases.add(Arguments.of(isolation, 8, 10));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "isolation {0}, {1} sessions")
  @MethodSource("cases")
  void concurrentWritersNeverDeadlockAndStayExact(int isolation, int sessions, int transactions)
      throws Exception {
    WritersWithRefresher.run(db, sessions, "names", (s, failures) -> {
      try (Connection c = writer.connect()) {
        c.setTransactionIsolation(isolation);
        Random r = new Random(isolation * 1000L + sessions * 100L + s);
        for (int t = 0; t < transactions; t++) {
          runRetried(c, r, failures);
        }
      }
    }).assertOnlySerializationFailures(isolation);
    try (Statement st = owner.createStatement()) {
      st.execute("SELECT pgtrickle.refresh_stream_table('names')");
      assertThat(StreamTableChecks.difference(st, "groups", GROUPS)).as("groups").isZero();
      assertThat(StreamTableChecks.difference(st, "pairs", PAIRS)).as("pairs").isZero();
      assertThat(StreamTableChecks.difference(st, "names", NAMES)).as("names").isZero();
    }
  }

  /** One transaction of one to three statements, retried after a serialization failure. */
  private static void runRetried(Connection c, Random r, Map<String, AtomicLong> failures)
      throws SQLException {
    List<String> statements = new ArrayList<>();
    for (int i = 1 + r.nextInt(3); i > 0; i--) {
      statements.add(change(r));
    }
    RetriedTransaction.run(c, statements, true, failures);
  }

  private static String change(Random r) {
    int id = 1 + r.nextInt(260);
    return switch (r.nextInt(6)) {
      case 0 -> "INSERT INTO acct VALUES (" + id + ", " + (1 + r.nextInt(5)) + ", " + r.nextInt(100)
          + ") ON CONFLICT (id) DO UPDATE SET bal = acct.bal + 1";
      case 1 -> "DELETE FROM acct WHERE id = " + id;
      case 2 -> "UPDATE grp SET name = 'g' || id || '-" + r.nextInt(3) + "' WHERE id = " + (1 + r.nextInt(4));
      default -> "UPDATE acct SET bal = bal + " + (r.nextInt(21) - 10) + ", grp = "
          + (1 + r.nextInt(5)) + " WHERE id = " + id;
    };
  }
}
