package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A FULL refresh replaces the contents the cheapest correct way: truncated and refilled when
 * nothing reads the stream table's changes, only the difference applied when a stream table
 * downstream (or a trigger) does.
 */
class FullReplacementTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private ServiceHarness h;

  @BeforeEach
  void setUp() throws SQLException {
    h = ServiceHarness.installed(db);
    h.sql("CREATE TABLE src (id int, v int)",
        "INSERT INTO src VALUES (1, 10), (2, NULL), (2, NULL), (3, 30)");
    h.create("st", "SELECT id, v FROM src WHERE id < 100", "refresh_mode", "FULL");
  }

  @AfterEach
  void tearDown() throws SQLException {
    h.reset("src", "audit");
  }

  private String fileOf(String table) throws SQLException {
    return h.value("SELECT pg_relation_filenode('" + table + "')");
  }

  private List<String> lastCounts() throws SQLException {
    return h.rows("SELECT rows_inserted, rows_deleted FROM pgtrickle.get_refresh_history('st')"
        + " ORDER BY start_time DESC LIMIT 1").get(0);
  }

  @Test
  void nothingReadsItsChangesSoTheContentsAreReplacedWhole() throws SQLException {
    String before = fileOf("st");
    h.sql("UPDATE src SET v = 11 WHERE id = 1", "INSERT INTO src VALUES (2, NULL), (4, NULL)");
    h.refresh("st");
    h.assertMatches("st", "SELECT id, v FROM src WHERE id < 100");
    assertThat(fileOf("st")).isNotEqualTo(before);
    assertThat(lastCounts()).containsExactly("6", "4");
  }

  @Test
  void aStreamTableDownstreamGetsOnlyTheRowsThatChanged() throws SQLException {
    h.create("down", "SELECT id, count(*) AS n FROM st GROUP BY id", "refresh_mode",
        "DIFFERENTIAL");
    String before = fileOf("st");
    h.sql("UPDATE src SET v = 11 WHERE id = 1", "DELETE FROM src WHERE id = 3");
    h.refresh("st");
    assertThat(fileOf("st")).isEqualTo(before);
    assertThat(lastCounts()).containsExactly("1", "2");
    h.refresh("down");
    h.assertMatches("st", "SELECT id, v FROM src WHERE id < 100");
    h.assertMatches("down", "SELECT id, count(*) AS n FROM src WHERE id < 100 GROUP BY id");
  }

  @Test
  void aTriggerOnTheStreamTableSeesOnlyTheRowsThatChanged() throws SQLException {
    h.sql("CREATE TABLE audit (op text, id int)",
        "CREATE OR REPLACE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " INSERT INTO audit VALUES (TG_OP, coalesce(NEW.id, OLD.id)); RETURN NULL; END $$",
        "CREATE TRIGGER audit AFTER INSERT OR DELETE ON st FOR EACH ROW"
            + " EXECUTE FUNCTION audit_row()");
    h.sql("UPDATE src SET v = 11 WHERE id = 1");
    h.refresh("st");
    h.assertMatches("st", "SELECT id, v FROM src WHERE id < 100");
    assertThat(h.rows("SELECT op, id FROM audit ORDER BY op"))
        .containsExactly(List.of("DELETE", "1"), List.of("INSERT", "1"));
  }

  @Test
  void aReplacementRolledBackAsTextLeavesTheOldContents() throws SQLException {
    h.sql("UPDATE src SET v = 11 WHERE id = 1");
    h.sql("BEGIN");
    h.refresh("st");
    h.assertMatches("st", "SELECT id, v FROM src WHERE id < 100");
    h.sql("ROLLBACK");
    assertThat(h.rows("SELECT id, v FROM st WHERE id = 1")).containsExactly(List.of("1", "10"));
    h.refresh("st");
    h.assertMatches("st", "SELECT id, v FROM src WHERE id < 100");
  }
}
