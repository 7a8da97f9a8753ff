package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/** Every kind of write to a source reaches its change buffer exactly once. */
class CaptureTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private Connection c;
  private ServiceHarness h;

  @BeforeEach
  void setUp() throws SQLException {
    h = ServiceHarness.installed(db);
    c = h.c;
    h.sql("CREATE TABLE items (id int PRIMARY KEY, name text)");
    h.create("items_st", "SELECT * FROM items", "refresh_mode", "FULL");
  }

  @AfterEach
  void tearDown() throws SQLException {
    h.reset("items", "parent", "child", "events", "dup");
  }

  /**
   * The buffer rows of a source as "op:col1,col2,..." (the row's values, from its typed columns or
   * its json image), in capture order.
   */
  private List<String> buffer(String source) throws SQLException {
    String oid = h.value("SELECT '" + source + "'::regclass::oid");
    return h.rows("SELECT b.__pgt_op::text || ':' || coalesce((SELECT string_agg(e.value, ',')"
            + " FROM json_each_text(coalesce(b.__pgt_row, to_json(b))) e"
            + " WHERE b.__pgt_row IS NOT NULL OR e.key LIKE '\\_\\_pgt\\_a%'), '')"
            + " FROM pgtrickle_changes.changes_" + oid + " AS b ORDER BY __pgt_seq")
        .stream().map(r -> r.get(0)).toList();
  }

  @Test
  void insertUpdateDeleteAndPrimaryKeyUpdates() throws SQLException {
    h.sql("INSERT INTO items VALUES (1, 'a'), (2, 'b')",
        "UPDATE items SET id = 5 WHERE id = 1",
        "UPDATE items SET name = 'B' WHERE id = 2",
        "DELETE FROM items WHERE id = 5",
        "UPDATE items SET name = 'none' WHERE id = 99");
    assertThat(buffer("items"))
        .containsExactly("I:1,a", "I:2,b", "D:1,a", "I:5,a", "D:2,b", "I:2,B", "D:5,a");
  }

  @Test
  void truncateLeavesAMarker() throws SQLException {
    h.sql("INSERT INTO items VALUES (1, 'a')", "TRUNCATE items");
    assertThat(buffer("items")).containsExactly("I:1,a", "T:");
  }

  @Test
  void copyIsCaptured() throws Exception {
    CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
    copy.copyIn("COPY items FROM STDIN (FORMAT csv)", new StringReader("1,x\n2,y\n"));
    assertThat(buffer("items")).containsExactly("I:1,x", "I:2,y");
  }

  @Test
  void foreignKeyCascadesAreCaptured() throws SQLException {
    h.sql("CREATE TABLE parent (id int PRIMARY KEY)",
        "CREATE TABLE child (id int PRIMARY KEY,"
            + " parent_id int REFERENCES parent ON DELETE CASCADE ON UPDATE CASCADE)",
        "INSERT INTO parent VALUES (1), (2)",
        "INSERT INTO child VALUES (10, 1), (11, 1), (12, 2)");
    h.create("child_st", "SELECT * FROM child", "refresh_mode", "FULL");
    h.sql("UPDATE parent SET id = 3 WHERE id = 2", "DELETE FROM parent WHERE id = 1");
    assertThat(buffer("child"))
        .containsExactly("D:12,2", "I:12,3", "D:10,1", "D:11,1");
    h.refresh("child_st");
    h.assertMatches("child_st", "SELECT * FROM child");
  }

  @Test
  void writesFromOtherSessionsAreCaptured() throws SQLException {
    try (Connection other = db.connectPlain()) {
      other.createStatement().execute("INSERT INTO items VALUES (7, 'psql')");
    }
    assertThat(buffer("items")).containsExactly("I:7,psql");
  }

  @Test
  void partitionedTablesAreCapturedOnceWhateverTheStatementNames() throws SQLException {
    h.sql("CREATE TABLE events (id int, v text) PARTITION BY RANGE (id)",
        "CREATE TABLE events_low PARTITION OF events FOR VALUES FROM (0) TO (100)",
        "CREATE TABLE events_high PARTITION OF events FOR VALUES FROM (100) TO (200)");
    h.create("events_st", "SELECT * FROM events", "refresh_mode", "FULL");
    h.takeWarnings();
    h.sql("INSERT INTO events VALUES (1, 'a'), (150, 'b')",
        "INSERT INTO events_low VALUES (2, 'c')",
        "UPDATE events SET id = 160 WHERE id = 1",
        "DELETE FROM events_high WHERE id = 150");
    assertThat(buffer("events"))
        .containsExactly("I:1,a", "I:150,b", "I:2,c", "D:1,a", "I:160,a", "D:150,b");
    h.refresh("events_st");
    h.assertMatches("events_st", "SELECT * FROM events");
    assertThat(h.value("SELECT source_kind FROM pgtrickle.pgt_dependencies"
        + " WHERE source_name = 'events'")).isEqualTo("PARTITIONED");
  }

  @Test
  void tablesWithoutPrimaryKeyWarnAndKeepDuplicates() throws SQLException {
    h.sql("CREATE TABLE dup (v int, w text)");
    h.takeWarnings();
    h.create("dup_st", "SELECT * FROM dup", "refresh_mode", "FULL");
    assertThat(h.takeWarnings())
        .anyMatch(w -> w.contains("source table public.dup of stream table public.dup_st has no"
            + " primary key"));
    h.sql("INSERT INTO dup VALUES (1, 'x'), (1, 'x'), (NULL, NULL)",
        "DELETE FROM dup WHERE ctid = (SELECT min(ctid) FROM dup WHERE v = 1)");
    assertThat(buffer("dup")).containsExactly("I:1,x", "I:1,x", "I:", "D:1,x");
    h.refresh("dup_st");
    h.assertMatches("dup_st", "SELECT * FROM dup");
    assertThat(h.count("SELECT * FROM dup_st")).isEqualTo(2);
  }

  @Test
  void addingAColumnToASourceDoesNotBreakItsWrites() throws SQLException {
    h.sql("ALTER TABLE items ADD COLUMN extra int", "INSERT INTO items VALUES (1, 'a', 42)");
    assertThat(buffer("items")).containsExactly("I:1,a,42");
  }

  @Test
  void captureIsSharedAndRemovedWithTheLastStreamTable() throws SQLException {
    h.create("items_names", "SELECT name FROM items", "refresh_mode", "FULL");
    h.sql("INSERT INTO items VALUES (1, 'a')");
    h.refresh("items_st");
    assertThat(buffer("items")).as("a FULL stream table holds no buffer rows").isEmpty();
    h.refresh("items_names");
    h.assertMatches("items_names", "SELECT name FROM items");
    h.drop("items_st", false);
    assertThat(h.count("SELECT * FROM pg_trigger WHERE tgrelid = 'items'::regclass"
        + " AND tgname LIKE 'pgtrickle_capture%'")).isEqualTo(4);
    h.drop("items_names", false);
    assertThat(h.count("SELECT * FROM pg_trigger WHERE tgrelid = 'items'::regclass")).isZero();
    assertThat(h.count("SELECT * FROM pg_class WHERE relnamespace = 'pgtrickle_changes'::regnamespace")).isZero();
    assertThat(h.count("SELECT * FROM pg_proc WHERE pronamespace = 'pgtrickle_changes'::regnamespace")).isZero();
    assertThat(h.count("SELECT * FROM pgtrickle.pgt_change_buffers")).isZero();
  }

  @Test
  void aStreamTableSourcePublishesOnlyTheRowsItsRefreshChanged() throws SQLException {
    h.sql("INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 100) g");
    h.refresh("items_st");
    h.create("items_top", "SELECT id FROM items_st WHERE id > 90", "refresh_mode", "FULL");
    h.sql("UPDATE items SET name = 'changed' WHERE id = 5", "INSERT INTO items VALUES (101, 'x')");
    h.refresh("items_st");
    assertThat(buffer("items_st")).containsExactlyInAnyOrder("D:5,n5", "I:5,changed", "I:101,x");
    h.refresh("items_top");
    h.assertMatches("items_top", "SELECT id FROM items WHERE id > 90");
  }
}
