package dev.trickle.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.ivm.FuzzQueries;
import dev.trickle.testing.DatabaseSnapshot;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Feeds the driver hundreds (thousands with the property below) of seeded generated and mutated
 * queries ({@link FuzzQueries}: the project's golden queries and the 22 TPC-H queries, mutated) as
 * stream-table commands, through every entry point (plain and prepared statements, the
 * function-call and DDL forms, batches), in autocommit and inside transactions the test opens with
 * SQL text, and asserts that only {@link SQLException}s come out, the connection stays usable
 * after each, and every stream table created along the way drops cleanly. Reproduce a run with
 * {@code -Dtrickle.fuzz.seed=...}; {@code -Dtrickle.fuzz.driver.queries=...} runs more.
 */
class DriverFuzzTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final long SEED = Long.getLong("trickle.fuzz.seed", 20261206L);
  private static final int QUERIES = Integer.getInteger("trickle.fuzz.driver.queries", 800);

  @Test
  void onlySqlExceptionsComeOutAndTheConnectionStaysUsable() throws SQLException {
    FuzzQueries queries = new FuzzQueries(SEED);
    Random random = new Random(SEED);
    TreeMap<String, Integer> outcomes = new TreeMap<>();
    List<String> crashes = new ArrayList<>();
    try (Connection c = db.connectWithoutScheduler();
        Connection observer = db.connectPlain()) {
      setUp(c);
      List<String> before = DatabaseSnapshot.of(observer, "public");
      for (int i = 0; i < QUERIES; i++) {
        String query = i < queries.corpus().size() ? queries.corpus().get(i) : queries.next();
        boolean inTransaction = random.nextInt(4) == 0;
        int entry = random.nextInt(5);
        boolean created = false;
        try {
          if (inTransaction) {
            run(c, "BEGIN");
          }
          submit(c, entry, query);
          created = true;
          outcomes.merge("created", 1, Integer::sum);
        } catch (SQLException e) {
          outcomes.merge(e.getSQLState() == null ? "no SQLSTATE" : e.getSQLState(), 1,
              Integer::sum);
        } catch (RuntimeException | Error e) {
          crashes.add(e + " (entry " + entry + ") for: " + query);
        }
        boolean rolledBack = inTransaction && random.nextBoolean();
        if (inTransaction) {
          run(c, rolledBack ? "ROLLBACK" : "COMMIT");
        }
        if (created && !rolledBack) {
          run(c, "DROP STREAM TABLE fz");
        }
        assertThat(value(c, "SELECT 41 + 1")).as("the connection after: " + query).isEqualTo("42");
      }
      assertThat(crashes).as("seed " + SEED).isEmpty();
      assertThat(DatabaseSnapshot.of(observer, "public")).isEqualTo(before);
    }
    System.out.println("DriverFuzzTest seed " + SEED + ", outcomes by SQLSTATE: " + outcomes);
    assertThat(outcomes).as("outcomes by SQLSTATE").containsKey("created");
    assertThat(outcomes.get("created")).isGreaterThan(QUERIES / 50);
  }

  /** Runs {@code query} as a create through entry point {@code entry}. */
  private static void submit(Connection c, int entry, String query) throws SQLException {
    switch (entry) {
      case 0 -> run(c, "SELECT pgtrickle.create_stream_table('fz', $fz$" + query + "$fz$)");
      case 1 -> run(c, "CREATE STREAM TABLE fz AS " + query);
      case 2 -> {
        try (PreparedStatement ps =
            c.prepareStatement("SELECT pgtrickle.create_stream_table(?, ?)")) {
          ps.setString(1, "fz");
          ps.setString(2, query);
          ps.execute();
        }
      }
      case 3 -> {
        try (Statement st = c.createStatement()) {
          st.addBatch(query);
          st.addBatch("CREATE STREAM TABLE fz AS " + query);
          st.executeBatch();
        }
      }
      default -> run(c, "SELECT 1; CREATE OR REPLACE STREAM TABLE fz AS " + query);
    }
  }

  private static void setUp(Connection c) throws SQLException {
    // A mutated recursive query may never end: it is stopped (57014) like any other statement.
    run(c, "SET statement_timeout = '2s'", "CREATE EXTENSION IF NOT EXISTS pg_trickle");
    for (String statement :
        FuzzQueries.statements(FuzzQueries.resource("fuzz/tpch-schema.sql"))) {
      run(c, statement);
    }
    run(
        c,
        "INSERT INTO dept VALUES (1, 'a', 'north'), (2, 'b', NULL)",
        "INSERT INTO emp VALUES (1, 1, 10, 'x'), (2, 1, NULL, NULL), (3, NULL, 5, 'y')",
        "INSERT INTO departments VALUES (1, 'root', NULL), (2, 'child', 1)",
        "INSERT INTO edges VALUES (1, 2), (2, 3), (2, 3)",
        "INSERT INTO nation VALUES (1, 'FRANCE', 1, NULL)",
        "INSERT INTO orders VALUES (1, 1, 'F', 10, date '1995-01-01', '1-URGENT', NULL, 0, NULL)",
        "INSERT INTO lineitem (l_orderkey, l_linenumber, l_partkey, l_suppkey, l_quantity)"
            + " VALUES (1, 1, 1, 1, 5), (1, 2, 1, NULL, NULL)");
  }

  private static void run(Connection c, String... statements) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String statement : statements) {
        st.execute(statement);
      }
    }
  }

  private static String value(Connection c, String query) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
