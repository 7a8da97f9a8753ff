package dev.trickle.service;

import static dev.trickle.service.SqlStates.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The DIFFERENTIAL seam, driven by a test compiler: deltas, frontiers, fallbacks, setup. */
class DifferentialSeamTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private Connection c;
  private ServiceHarness h;

  @BeforeEach
  void setUp() throws SQLException {
    h = ServiceHarness.installed(db, new IdentityCompiler());
    c = h.c;
    h.sql("CREATE TABLE src (id int, v text)",
        "INSERT INTO src VALUES (1, 'a'), (1, 'a'), (2, NULL)");
    h.create("st", "SELECT * FROM src", "refresh_mode", "DIFFERENTIAL");
  }

  @AfterEach
  void tearDown() throws SQLException {
    h.reset("src");
  }

  private List<List<String>> history() throws SQLException {
    return h.rows("SELECT action, rows_inserted, rows_deleted, coalesce(r.reason, '')"
        + " FROM pgtrickle.pgt_refresh_history r ORDER BY refresh_id");
  }

  @Test
  void deltasAreAppliedDifferentially() throws SQLException {
    h.sql("DELETE FROM src WHERE ctid = (SELECT min(ctid) FROM src WHERE id = 1)",
        "UPDATE src SET v = 'b' WHERE id = 2", "INSERT INTO src VALUES (3, 'c')");
    h.refresh("st");
    h.assertMatches("st", "SELECT * FROM src");
    h.refresh("st");
    assertThat(history())
        .containsExactly(
            List.of("FULL", "3", "0", "initial population"),
            List.of("DIFFERENTIAL", "2", "2", ""),
            List.of("NO_DATA", "0", "0", ""));
    assertThat(h.value("SELECT n FROM st_state")).isEqualTo("3");
    assertThat(h.rows("SELECT requested_mode, effective_mode FROM pgtrickle.pgt_stream_tables"))
        .containsExactly(List.of("DIFFERENTIAL", "DIFFERENTIAL"));
  }

  @Test
  void aWriterCommittingOutOfOrderIsAppliedExactlyOnce() throws Exception {
    try (Connection early = db.connectPlain(); Connection late = db.connectPlain()) {
      early.setAutoCommit(false);
      late.setAutoCommit(false);
      early.createStatement().execute("INSERT INTO src VALUES (10, 'early')");
      late.createStatement().execute("INSERT INTO src VALUES (11, 'late')");
      late.commit();
      h.refresh("st");
      h.sql("INSERT INTO src VALUES (12, 'between')");
      h.refresh("st");
      assertThat(h.count("SELECT * FROM st WHERE id = 10")).isZero();
      early.commit();
    }
    h.refresh("st");
    h.refresh("st");
    h.assertMatches("st", "SELECT * FROM src");
    assertThat(history()).extracting(r -> r.get(0))
        .containsExactly("FULL", "DIFFERENTIAL", "DIFFERENTIAL", "DIFFERENTIAL", "NO_DATA");
  }

  @Test
  void aTruncatedSourceIsRecomputedWithTheReasonRecorded() throws SQLException {
    h.sql("TRUNCATE src", "INSERT INTO src VALUES (5, 'e')");
    h.refresh("st");
    h.assertMatches("st", "SELECT * FROM src");
    assertThat(history()).last().isEqualTo(List.of("FULL", "1", "3", "source truncated"));
    assertThat(h.value("SELECT n FROM st_state")).as("populate statements ran").isEqualTo("1");
  }

  @Test
  void changesInTheCallersOwnTransactionAreConsumedOnce() throws SQLException {
    c.setAutoCommit(false);
    h.sql("INSERT INTO src VALUES (7, 'mine')");
    h.refresh("st");
    c.commit();
    c.setAutoCommit(true);
    h.refresh("st");
    h.assertMatches("st", "SELECT * FROM src");
    assertThat(history()).extracting(r -> r.get(0)).endsWith("DIFFERENTIAL", "NO_DATA");
  }

  @Test
  void autoFallsBackToFullWithAWarningAndDifferentialIsRefused() throws SQLException {
    h.takeWarnings();
    h.create("sums", "SELECT id, count(*) AS n FROM src GROUP BY id");
    assertThat(h.takeWarnings()).contains("stream table public.sums uses FULL refresh: only"
        + " SELECT * FROM t is supported here (query shape at position 1)");
    assertThat(h.value("SELECT mode_reason FROM pgtrickle.pgt_stream_tables"
        + " WHERE pgt_name = 'sums'")).contains("query shape");
    assertFails(() -> h.create("sums2", "SELECT id FROM src", "refresh_mode", "DIFFERENTIAL"),
        "0A000", "stream table public.sums2 cannot use refresh_mode DIFFERENTIAL: only SELECT *");
  }

  @Test
  void modeChangesSwapTheMaintenanceMachinery() throws SQLException {
    h.alter("st", null, "refresh_mode", "FULL");
    assertThat(h.value("SELECT to_regclass('st_state') IS NULL")).as("torn down").isEqualTo("t");
    h.sql("INSERT INTO src VALUES (8, 'h')");
    h.refresh("st");
    h.alter("st", null, "refresh_mode", "AUTO");
    assertThat(h.value("SELECT n FROM st_state")).as("set up and repopulated").isEqualTo("4");
    assertThat(history()).extracting(r -> r.get(0)).endsWith("FULL", "REINITIALIZE");
    h.drop("st", false);
    assertThat(h.value("SELECT to_regclass('st_state') IS NULL")).isEqualTo("t");
  }
}
