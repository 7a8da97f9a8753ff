package dev.trickle.service;

import static dev.trickle.service.SqlStates.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Refresh: transactions, frontiers, history, failures and status transitions. */
class RefreshTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private Connection c;
  private ServiceHarness h;

  @BeforeEach
  void setUp() throws SQLException {
    h = ServiceHarness.installed(db);
    c = h.c;
    h.sql("CREATE TABLE src (id int PRIMARY KEY, v int)",
        "INSERT INTO src VALUES (1, 10), (2, 20)");
    h.create("st", "SELECT * FROM src", "refresh_mode", "FULL");
  }

  @AfterEach
  void tearDown() throws SQLException {
    h.reset("src", "other");
  }

  private List<List<String>> history() throws SQLException {
    return h.rows("SELECT action, status, rows_inserted, rows_deleted, coalesce(error_message, '')"
        + " FROM pgtrickle.get_refresh_history('st') ORDER BY start_time, action");
  }

  @Test
  void everyAttemptIsRecordedWithTheStrategyUsed() throws SQLException {
    h.refresh("st");
    h.sql("UPDATE src SET v = 11 WHERE id = 1");
    h.refresh("st");
    assertThat(history())
        .containsExactly(
            List.of("FULL", "COMPLETED", "2", "0", ""),
            List.of("NO_DATA", "COMPLETED", "0", "0", ""),
            // Nothing reads the stream table's changes: its contents are replaced whole.
            List.of("FULL", "COMPLETED", "2", "2", ""));
    assertThat(h.rows("SELECT reason FROM pgtrickle.pgt_refresh_history ORDER BY refresh_id"))
        .extracting(r -> r.get(0))
        .containsExactly("initial population", null, "refresh mode FULL");
    assertThat(h.rows("SELECT stream_table, action FROM pgtrickle.refresh_timeline(1)"))
        .containsExactly(List.of("public.st", "FULL"));
  }

  @Test
  void aWriterOpenAcrossRefreshesIsIncludedExactlyOnceAfterItCommits() throws Exception {
    try (Connection writer = db.connectPlain()) {
      writer.setAutoCommit(false);
      writer.createStatement().execute("INSERT INTO src VALUES (3, 30)");
      h.sql("INSERT INTO src VALUES (4, 40)");
      h.refresh("st");
      h.refresh("st");
      h.assertMatches("st", "SELECT * FROM src");
      assertThat(h.count("SELECT * FROM st WHERE id = 3")).isZero();
      writer.commit();
    }
    h.refresh("st");
    h.assertMatches("st", "SELECT * FROM src");
    assertThat(history()).extracting(r -> r.get(0))
        .containsExactly("FULL", "FULL", "NO_DATA", "FULL");
    h.refresh("st");
    assertThat(history()).extracting(r -> r.get(0)).endsWith("FULL", "NO_DATA");
    assertThat(h.count("SELECT * FROM pgtrickle_changes.changes_"
        + h.value("SELECT 'src'::regclass::oid"))).as("consumed rows cleaned up").isZero();
  }

  @Test
  void aBufferBeingCleanedElsewhereIsLeftForTheNextRefresh() throws SQLException {
    h.refresh("st");
    String buffer = "pgtrickle_changes.changes_" + h.value("SELECT 'src'::regclass::oid");
    try (Connection other = db.connectPlain(); Statement s = other.createStatement()) {
      other.setAutoCommit(false);
      s.execute("SELECT 1 FROM pgtrickle.pgt_change_buffers WHERE source_relid = 'src'::regclass"
          + " FOR NO KEY UPDATE");
      h.sql("UPDATE src SET v = 12 WHERE id = 1");
      h.refresh("st");
      h.assertMatches("st", "SELECT * FROM src");
      assertThat(h.count("SELECT * FROM " + buffer)).as("cleanup lock held elsewhere").isEqualTo(2);
    }
    h.sql("UPDATE src SET v = 13 WHERE id = 2");
    h.refresh("st");
    h.assertMatches("st", "SELECT * FROM src");
    assertThat(h.count("SELECT * FROM " + buffer)).as("cleaned by the next refresh").isZero();
  }

  @Test
  void aFailedCleanupWarnsAndTheRefreshStands() throws SQLException {
    h.refresh("st");
    String buffer = "pgtrickle_changes.changes_" + h.value("SELECT 'src'::regclass::oid");
    h.sql("CREATE OR REPLACE FUNCTION refuse_deletes() RETURNS trigger LANGUAGE plpgsql AS"
            + " $$BEGIN RAISE EXCEPTION 'deletes refused'; END$$",
        "CREATE TRIGGER refuse_deletes BEFORE DELETE ON " + buffer
            + " FOR EACH ROW EXECUTE FUNCTION refuse_deletes()",
        "UPDATE src SET v = 12 WHERE id = 1");
    h.takeWarnings();
    h.refresh("st");
    h.assertMatches("st", "SELECT * FROM src");
    assertThat(h.takeWarnings())
        .singleElement()
        .asString()
        .contains("could not clean up its change buffers", "public.src", "deletes refused");
    assertThat(history()).last().satisfies(r -> assertThat(r.get(1)).isEqualTo("COMPLETED"));
    assertThat(h.count("SELECT * FROM " + buffer)).isEqualTo(2);
    h.sql("DROP TRIGGER refuse_deletes ON " + buffer, "UPDATE src SET v = 13 WHERE id = 1");
    h.refresh("st");
    h.assertMatches("st", "SELECT * FROM src");
    assertThat(h.count("SELECT * FROM " + buffer)).isZero();
  }

  @Test
  void aDroppedSourcePutsTheStreamTableInErrorAtItsNextRefresh() throws SQLException {
    h.sql("DROP TABLE src");
    assertFails(() -> h.refresh("st"), "42P01",
        "source public.src of stream table public.st no longer exists");
    assertThat(h.rows("SELECT status, consecutive_errors FROM pgtrickle.pgt_status()"))
        .containsExactly(List.of("ERROR", "1"));
    assertThat(history()).last().satisfies(r -> {
      assertThat(r.subList(0, 2)).containsExactly("FULL", "FAILED");
      assertThat(r.get(4)).contains("public.src");
    });
    assertThat(h.rows("SELECT severity, detail FROM pgtrickle.health_check()"
        + " WHERE check_name = 'tables_in_error'"))
        .singleElement().satisfies(r -> assertThat(r.get(0)).isEqualTo("ERROR"));
    h.drop("st", false);
    assertThat(h.count("SELECT * FROM pgtrickle.pgt_change_buffers")).isZero();
  }

  @Test
  void repeatedFailuresSuspendUntilResumed() throws SQLException {
    h.settings.setProperty("trickle.max_consecutive_errors", "2");
    h.create("ratio", "SELECT id, 100 / v AS r FROM src", "refresh_mode", "FULL");
    h.sql("UPDATE src SET v = 0 WHERE id = 2");
    assertFails(() -> h.refresh("ratio"), "22012", "division by zero");
    assertThat(h.value("SELECT status FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'ratio'"))
        .isEqualTo("ACTIVE");
    assertFails(() -> h.refresh("ratio"), "22012", "division by zero");
    assertThat(h.rows("SELECT status, consecutive_errors, last_error_message"
            + " FROM pgtrickle.pg_stat_stream_tables WHERE pgt_name = 'ratio'"))
        .containsExactly(List.of("SUSPENDED", "2", "division by zero"));
    assertFails(() -> h.refresh("ratio"), "55000",
        "stream table public.ratio is suspended; resume it with"
            + " pgtrickle.resume_stream_table('public.ratio')");
    h.sql("UPDATE src SET v = 5 WHERE id = 2");
    h.resume("ratio");
    h.refresh("ratio");
    assertThat(h.rows("SELECT status, consecutive_errors FROM pgtrickle.pgt_status()"
        + " WHERE name = 'public.ratio'")).containsExactly(List.of("ACTIVE", "0"));
    h.assertMatches("ratio", "SELECT id, 100 / v FROM src");
  }

  @Test
  void suspendedByAlterAndActiveAgain() throws SQLException {
    h.alter("st", null, "status", "SUSPENDED");
    assertFails(() -> h.refresh("st"), "55000", "is suspended");
    h.alter("st", null, "status", "active");
    h.refresh("st");
  }

  @Test
  void insideACallerTransactionARollbackUndoesTheRefresh() throws SQLException {
    c.setAutoCommit(false);
    h.sql("INSERT INTO src VALUES (3, 30)");
    h.refresh("st");
    assertThat(h.count("SELECT * FROM st")).isEqualTo(3);
    assertFails(() -> h.sql("INSERT INTO st VALUES (9, 9)"), "0A000",
        "public.st is a stream table maintained by Trickle");
    c.rollback();
    h.refresh("st");
    c.commit();
    c.setAutoCommit(true);
    assertThat(h.count("SELECT * FROM st")).isEqualTo(2);
    assertThat(history()).extracting(r -> r.get(0)).containsExactly("FULL", "NO_DATA");
  }

  @Test
  void aFailureInsideACallerTransactionIsRecordedAndKeepsItUsable() throws SQLException {
    h.create("ratio", "SELECT id, 100 / v AS r FROM src", "refresh_mode", "FULL");
    c.setAutoCommit(false);
    h.sql("UPDATE src SET v = 0 WHERE id = 1");
    assertFails(() -> h.refresh("ratio"), "22012", "division by zero");
    h.sql("UPDATE src SET v = 1 WHERE id = 1");
    h.refresh("ratio");
    c.commit();
    c.setAutoCommit(true);
    assertThat(h.rows("SELECT action, status FROM pgtrickle.get_refresh_history('ratio')"
            + " ORDER BY start_time"))
        .containsExactly(List.of("FULL", "COMPLETED"), List.of("FULL", "FAILED"),
            List.of("FULL", "COMPLETED"));
    h.assertMatches("ratio", "SELECT id, 100 / v FROM src");
  }

  @Test
  void readersAreNeverBlocked() throws SQLException {
    try (Connection reader = db.connectPlain()) {
      reader.setAutoCommit(false);
      reader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      assertThat(count(reader, "SELECT count(*) FROM st")).isEqualTo(2);
      h.sql("SET lock_timeout = '5s'", "INSERT INTO src VALUES (3, 30)");
      h.refresh("st");
      assertThat(count(reader, "SELECT count(*) FROM st")).as("old content").isEqualTo(2);
      reader.commit();
      assertThat(count(reader, "SELECT count(*) FROM st")).as("new content").isEqualTo(3);
      reader.commit();
    }
  }

  @Test
  void concurrentRefreshesOfOneStreamTableQueueUp() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Void>> runs = new java.util.ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int base = 100 * (t + 1);
        runs.add(pool.submit(() -> {
          try (Connection own = db.connectPlain()) {
            ServiceHarness mine = new ServiceHarness(own);
            for (int i = 0; i < 5; i++) {
              mine.sql("INSERT INTO src VALUES (" + (base + i) + ", 0)");
              mine.refresh("st");
            }
          }
          return null;
        }));
      }
      for (Future<Void> run : runs) {
        run.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    h.refresh("st");
    h.assertMatches("st", "SELECT * FROM src");
  }

  @Test
  void aTransactionSnapshotOlderThanTheLastRefreshIsRefused() throws SQLException {
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    h.value("SELECT count(*) FROM st");
    try (Connection other = db.connectPlain()) {
      ServiceHarness o = new ServiceHarness(other);
      o.sql("INSERT INTO src VALUES (3, 30)");
      o.refresh("st");
    }
    assertFails(() -> h.refresh("st"), "55000", "the transaction's snapshot is older than the last"
        + " refresh or change of stream table public.st", "refresh it in a new transaction");
    c.rollback();
    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    c.setAutoCommit(true);
    h.refresh("st");
    h.assertMatches("st", "SELECT * FROM src");
  }

  @Test
  void initializeFalseLeavesItUnpopulatedUntilTheFirstRefresh() throws SQLException {
    h.create("later", "SELECT v FROM src", "initialize", "false", "refresh_mode", "FULL");
    assertThat(h.count("SELECT * FROM later")).isZero();
    assertThat(h.rows("SELECT status, is_populated FROM pgtrickle.pgt_status()"
        + " WHERE name = 'public.later'")).containsExactly(List.of("INITIALIZING", "f"));
    h.refresh("later");
    h.assertMatches("later", "SELECT v FROM src");
    assertThat(h.value("SELECT reason FROM pgtrickle.pgt_refresh_history r"
        + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE pgt_name = 'later'"))
        .isEqualTo("not populated");
  }

  @Test
  void chainsOfStreamTablesRefreshInOrder() throws SQLException {
    h.sql("CREATE TABLE other (id int PRIMARY KEY, label text)",
        "INSERT INTO other VALUES (1, 'one'), (2, 'two')");
    h.create("joined", "SELECT s.id, s.v, o.label FROM st s JOIN other o USING (id)",
        "refresh_mode", "FULL");
    h.create("total", "SELECT label, sum(v) AS v FROM joined GROUP BY label",
        "refresh_mode", "FULL");
    h.sql("UPDATE src SET v = v + 1", "INSERT INTO src VALUES (3, 1)",
        "INSERT INTO other VALUES (3, 'one')");
    h.refresh("st");
    h.refresh("joined");
    h.refresh("total");
    h.assertMatches("total", "SELECT label, sum(v) FROM src JOIN other USING (id) GROUP BY label");
    assertFails(() -> h.drop("st", false), "2BP01",
        "cannot drop stream table public.st because other stream tables read it: public.joined");
  }

  private static long count(Connection conn, String sql) throws SQLException {
    try (Statement st = conn.createStatement(); var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
