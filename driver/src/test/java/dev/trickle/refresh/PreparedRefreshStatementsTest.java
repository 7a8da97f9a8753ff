package dev.trickle.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.lastAction;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A refresh's statements run as server-prepared statements ({@link StatementBatch}): they are
 * prepared on the server from the first refresh, stay plain where the user's SQL holds {@code ?}
 * or <code>{</code>, and are never prepared on a connection with {@code prepareThreshold=0}. After
 * every refresh of random changes the stream table must equal its query, refreshed DIFFERENTIAL.
 */
class PreparedRefreshStatementsTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String PLAIN_QUERY =
      "SELECT grp, count(*) AS n, sum(amount) AS total FROM items GROUP BY grp";
  private static final String QUESTION_MARK_QUERY =
      "SELECT id, note FROM items WHERE to_jsonb(note) ? 'ok' AND ARRAY[grp] <@ '{0,1,2}'::int[]";

  @Test
  void refreshStatementsArePreparedOnTheServer() throws SQLException {
    try (Connection c = connect(null);
        Statement s = c.createStatement()) {
      setUp(s, PLAIN_QUERY);
      int before = preparedOnServer(s);
      changeAndRefresh(s, PLAIN_QUERY, new Random(7), 3);
      assertThat(preparedOnServer(s)).isGreaterThan(before);
    }
  }

  @Test
  void userSqlWithQuestionMarksAndBracesRefreshes() throws SQLException {
    try (Connection c = connect(null);
        Statement s = c.createStatement()) {
      setUp(s, QUESTION_MARK_QUERY);
      changeAndRefresh(s, QUESTION_MARK_QUERY, new Random(11), 20);
    }
  }

  @Test
  void aConnectionWithoutServerSidePreparationRefreshesUnprepared() throws SQLException {
    try (Connection c = connect("0");
        Statement s = c.createStatement()) {
      setUp(s, PLAIN_QUERY);
      changeAndRefresh(s, PLAIN_QUERY, new Random(13), 20);
      assertThat(preparedOnServer(s)).isZero();
    }
  }

  private static Connection connect(String prepareThreshold) throws SQLException {
    Properties props = new Properties();
    props.setProperty("trickle.scheduler", "false");
    if (prepareThreshold != null) {
      props.setProperty("prepareThreshold", prepareThreshold);
    }
    return db.connect(props);
  }

  private static void setUp(Statement s, String query) throws SQLException {
    s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
    s.execute("DROP TABLE IF EXISTS items CASCADE");
    s.execute("CREATE TABLE items (id int PRIMARY KEY, grp int, amount int, note text)");
    s.execute("INSERT INTO items SELECT g, g % 5, g % 11, CASE WHEN g % 3 = 0 THEN 'why?' ELSE 'ok'"
        + " END FROM generate_series(1, 200) g");
    s.execute("DROP STREAM TABLE IF EXISTS st");
    s.execute("SELECT pgtrickle.create_stream_table(name => 'st', query => $$" + query
        + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
  }

  /** Cycles of random inserts, updates (group moves included) and deletes, each refreshed. */
  private static void changeAndRefresh(Statement s, String query, Random random, int cycles)
      throws SQLException {
    for (int cycle = 0; cycle < cycles; cycle++) {
      for (int k = 0; k < 5; k++) {
        int id = 1 + random.nextInt(260);
        switch (random.nextInt(3)) {
          case 0 -> s.execute("INSERT INTO items VALUES (" + id + ", " + random.nextInt(5) + ", "
              + random.nextInt(11) + ", " + (random.nextBoolean() ? "'why?'" : "'ok'")
              + ") ON CONFLICT (id) DO NOTHING");
          case 1 -> s.execute("UPDATE items SET grp = " + random.nextInt(5) + ", amount = "
              + random.nextInt(11) + " WHERE id = " + id);
          default -> s.execute("DELETE FROM items WHERE id = " + id);
        }
      }
      s.execute("SELECT pgtrickle.refresh_stream_table('st')");
      assertThat(difference(s, "st", query)).as("cycle %d", cycle).isZero();
      assertThat(lastAction(s, "st")).as("cycle %d", cycle).isIn("DIFFERENTIAL", "NO_DATA");
    }
  }

  private static int preparedOnServer(Statement s) throws SQLException {
    try (ResultSet rs =
        s.executeQuery("SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
