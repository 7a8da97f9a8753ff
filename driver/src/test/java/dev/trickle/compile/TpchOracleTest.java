package dev.trickle.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.StreamTableChecks;
import dev.trickle.testing.TestDatabase;
import dev.trickle.tpch.ChangeCycle;
import dev.trickle.tpch.ChangeCycles;
import dev.trickle.tpch.TpchLoader;
import dev.trickle.tpch.TpchQuery;
import dev.trickle.tpch.TpchSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The TPC-H oracle: the 22 queries at SF 0.01 as stream tables, three seeded change cycles (1% of
 * every table deleted, inserted and updated, orders with their lineitems), each stream table equal
 * to its query as a multiset after its creation and after every cycle's refresh.
 *
 * <p>Every query is maintained DIFFERENTIAL: its creation in that mode succeeds and every refresh is
 * recorded as {@code DIFFERENTIAL} or {@code NO_DATA}. A query that cannot be created DIFFERENTIAL
 * fails the test, and is still checked against the oracle as an AUTO stream table, so one failure
 * does not hide the others.
 */
class TpchOracleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final double SCALE_FACTOR = 0.01;
  private static final double CHANGED_SHARE = 0.01;
  private static final int CYCLES = 3;
  private static final long SEED = 19;
  private static final Set<String> DIFFERENTIAL_ACTIONS = Set.of("DIFFERENTIAL", "NO_DATA");

  @Test
  void everyQueryEqualsItsStreamTableAfterEveryChangeCycle() throws SQLException {
    try (Connection plain = db.connectPlain();
        Connection trickle = db.connectWithoutScheduler();
        Statement st = trickle.createStatement()) {
      TpchLoader.load(plain, SCALE_FACTOR);
      st.execute("CREATE EXTENSION pg_trickle");
      List<String> problems = new ArrayList<>();
      for (TpchQuery q : TpchQuery.all()) {
        create(st, q, problems);
      }
      check(st, "after creation", problems);
      ChangeCycles changes = new ChangeCycles(CHANGED_SHARE, SEED);
      for (int cycle = 1; cycle <= CYCLES; cycle++) {
        ChangeCycle done = changes.apply(plain, cycle);
        for (String table : TpchSchema.TABLES) {
          assertThat(done.touched(table)).as("rows of %s changed in cycle %d", table, cycle).isPositive();
        }
        for (TpchQuery q : TpchQuery.all()) {
          st.execute("SELECT pgtrickle.refresh_stream_table('" + name(q) + "')");
          String action = StreamTableChecks.lastAction(st, name(q));
          if (!DIFFERENTIAL_ACTIONS.contains(action)) {
            problems.add(q.title() + " cycle " + cycle + ": refresh recorded as " + action);
          }
        }
        check(st, "after cycle " + cycle + " (" + done.describe() + ")", problems);
      }
      assertThat(problems).as("TPC-H queries whose stream table went wrong").isEmpty();
    }
  }

  /** Creates the query's stream table DIFFERENTIAL; a failure is a problem, and AUTO stands in. */
  private static void create(Statement st, TpchQuery q, List<String> problems) throws SQLException {
    try {
      st.execute(createCall(q, "DIFFERENTIAL"));
    } catch (SQLException e) {
      problems.add(q.title() + " cannot be DIFFERENTIAL (" + e.getSQLState() + ": " + e.getMessage()
          + "); it is checked as AUTO");
      st.execute(createCall(q, "AUTO"));
    }
  }

  private static void check(Statement st, String when, List<String> problems) throws SQLException {
    for (TpchQuery q : TpchQuery.all()) {
      long differences = StreamTableChecks.difference(st, name(q), q.sql());
      if (differences != 0) {
        problems.add(q.title() + " " + when + ": " + differences + " rows differ from the query");
      }
    }
  }

  private static String createCall(TpchQuery q, String mode) {
    return "SELECT pgtrickle.create_stream_table(name => '" + name(q) + "', query => $tpch$" + q.sql()
        + "$tpch$, schedule => '1h', refresh_mode => '" + mode + "')";
  }

  private static String name(TpchQuery q) {
    return "tpch_" + q.key();
  }
}
