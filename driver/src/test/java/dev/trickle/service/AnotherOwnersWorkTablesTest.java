package dev.trickle.service;

import static dev.trickle.service.OwnerRoles.count;
import static dev.trickle.service.OwnerRoles.execute;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.StreamTableChecks;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A session can hold work tables of another role: an IMMEDIATE stream table's triggers run as its
 * owner and make their tables in the writing session. A refresh in that session of a stream table
 * whose owner is not a member of that role works (it used to fail dropping those tables, which it
 * may not), and dropping a stream table drops the session's work tables of that stream table and
 * leaves alone another role's table whose name the same pattern matches; the other stream table
 * keeps being maintained.
 */
class AnotherOwnersWorkTablesTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final OwnerRoles ROLES = new OwnerRoles(db, "trickle_wt");
  private static final String THEIRS =
      "SELECT id, v FROM probe.m_src WHERE v > (SELECT avg(v) FROM probe.m_src)";

  @BeforeAll
  static void roles() throws SQLException {
    ROLES.create();
  }

  @AfterAll
  static void dropRoles() throws SQLException {
    ROLES.drop();
  }

  @Test
  void droppingAStreamTableLeavesAnotherRolesWorkTablesInTheSession() throws SQLException {
    try (Connection owner = ROLES.asOwner();
        Connection member = ROLES.asMember()) {
      execute(
          owner,
          "CREATE EXTENSION pg_trickle",
          "CREATE TABLE probe.o_src (id int PRIMARY KEY, k int, v int)",
          "INSERT INTO probe.o_src SELECT g, g % 7, g FROM generate_series(1, 100) g",
          "SELECT pgtrickle.create_stream_table(name => 'probe.mine', query =>"
              + " 'SELECT k, count(*) AS n, sum(v) AS total FROM probe.o_src GROUP BY k',"
              + " schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      long mine = count(owner, "SELECT pgt_id FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'mine'");
      execute(
          member,
          "CREATE TABLE probe.m_src (id int PRIMARY KEY, v int)",
          "INSERT INTO probe.m_src SELECT g, g FROM generate_series(1, 50) g",
          "GRANT SELECT, INSERT, UPDATE, DELETE ON probe.m_src TO " + ROLES.owner(),
          "SELECT pgtrickle.create_stream_table(name => 'probe.theirs', query => $$" + THEIRS
              + "$$, refresh_mode => 'IMMEDIATE')");
      execute(
          owner,
          "UPDATE probe.m_src SET v = v + 30 WHERE id % 4 = 0",
          "UPDATE probe.o_src SET v = v + 1 WHERE id % 3 = 0",
          "SELECT pgtrickle.refresh_stream_table('probe.mine')");
      long theirTables = tagged(owner, mine, ROLES.member());
      assertThat(theirTables)
          .as("the member's tables in the owner's session that the drop's pattern matches")
          .isPositive();
      assertThat(tagged(owner, mine, ROLES.owner())).as("the owner's work tables").isPositive();

      execute(owner, "SELECT pgtrickle.drop_stream_table('probe.mine')");
      assertThat(tagged(owner, mine, ROLES.owner())).isZero();
      assertThat(tagged(owner, mine, ROLES.member())).isEqualTo(theirTables);
      execute(owner, "UPDATE probe.m_src SET v = v - 45 WHERE id % 5 = 0");
      try (Statement s = member.createStatement()) {
        assertThat(StreamTableChecks.difference(s, "probe.theirs", THEIRS)).isZero();
      }
    }
  }

  /** Tables of {@code role} in {@code c}'s session whose names carry the stream table's tag. */
  private static long tagged(Connection c, long pgtId, String role) throws SQLException {
    return count(c, "SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema()"
        + " AND relkind = 'r' AND relowner = '" + role + "'::regrole"
        + " AND (relname LIKE '\\_\\_pgt\\_%\\_" + pgtId + "' OR relname LIKE '\\_\\_pgt\\_%\\_"
        + pgtId + "\\_%')");
  }
}
