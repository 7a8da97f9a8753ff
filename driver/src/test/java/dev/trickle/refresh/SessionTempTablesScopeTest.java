package dev.trickle.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A refresh reads only the work tables it can use (those tagged like its plans, and its sources'
 * delta tables), and a session keeps at most its capacity of work tables, dropping the least
 * recently used, whichever stream table made them.
 */
class SessionTempTablesScopeTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String SHAPE = "x int";
  private static final String ROWS = "SELECT 1 AS x";

  @Test
  void aRefreshSeesItsOwnTablesAndItsSourcesDeltasOnly() throws SQLException {
    SessionTempTables.Memory memory = new SessionTempTables.Memory();
    try (Connection c = db.connectPlain()) {
      for (String tag : List.of("2", "12", "2_v0", "22")) {
        fill(c, memory, tag, List.of(), out(tag));
      }
      fill(c, memory, "9", List.of(16_500L), "pg_temp.\"__pgt_delta_16500\"");
      fill(c, memory, "9", List.of(16_501L), "pg_temp.\"__pgt_delta_16501\"");

      SessionTempTables two = SessionTempTables.load(c, "2", List.of(16_500L), memory);
      assertThat(reuses(two.fill(out("2"), SHAPE, ROWS))).isTrue();
      assertThat(reuses(two.fill(out("2_v0"), SHAPE, ROWS))).isTrue();
      assertThat(reuses(two.fill("pg_temp.\"__pgt_delta_16500\"", SHAPE, ROWS))).isTrue();
      SessionTempTables again = SessionTempTables.load(c, "2", List.of(16_500L), memory);
      assertThat(reuses(again.fill(out("12"), SHAPE, ROWS))).isFalse();
      assertThat(reuses(again.fill(out("22"), SHAPE, ROWS))).isFalse();
      assertThat(reuses(again.fill("pg_temp.\"__pgt_delta_16501\"", SHAPE, ROWS))).isFalse();
    }
  }

  @Test
  void theSessionKeepsItsCapacityDroppingTheLeastRecentlyUsed() throws SQLException {
    SessionTempTables.Memory memory = new SessionTempTables.Memory(3);
    try (Connection c = db.connectPlain()) {
      for (String tag : List.of("1", "2", "3")) {
        fill(c, memory, tag, List.of(), out(tag));
      }
      fill(c, memory, "1", List.of(), out("1"));
      fill(c, memory, "4", List.of(), out("4"));
      assertThat(workTables(c)).containsExactlyInAnyOrder("__pgt_out_1", "__pgt_out_3", "__pgt_out_4");
      fill(c, memory, "5", List.of(), out("5"));
      assertThat(workTables(c)).containsExactlyInAnyOrder("__pgt_out_1", "__pgt_out_4", "__pgt_out_5");
      SessionTempTables one = SessionTempTables.load(c, "1", List.of(), memory);
      assertThat(reuses(one.fill(out("1"), SHAPE, ROWS))).isTrue();
    }
  }

  private static String out(String tag) {
    return "pg_temp.\"__pgt_out_" + tag + "\"";
  }

  /** One refresh's fill of {@code table} as the stream table tagged {@code tag}. */
  private static void fill(
      Connection c, SessionTempTables.Memory memory, String tag, List<Long> sources, String table)
      throws SQLException {
    SessionTempTables temps = SessionTempTables.load(c, tag, sources, memory);
    try (Statement st = c.createStatement()) {
      for (String sql : temps.fill(table, SHAPE, ROWS)) {
        st.execute(sql);
      }
    }
    temps.remember(c);
  }

  private static boolean reuses(List<String> statements) {
    return statements.size() == 1 && statements.get(0).startsWith("WITH __pgt_emptied AS");
  }

  private static List<String> workTables(Connection c) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT relname FROM pg_class WHERE relnamespace = pg_my_temp_schema()"
                    + " AND relkind = 'r' AND relname LIKE '\\_\\_pgt\\_%'")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }
}
