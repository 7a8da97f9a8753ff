package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.catalog.CatalogInstaller;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A catalog of version 11, whose change buffers copied every source column and whose capture
 * functions named them, is upgraded with changes still waiting in a buffer: the waiting changes
 * move into the row images and reach the stream table, and from then on the source's schema may
 * change without breaking its writes.
 */
class CaptureUpgradeTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private Connection c;
  private ServiceHarness h;

  @BeforeEach
  void setUp() throws SQLException {
    h = ServiceHarness.installed(db);
    c = h.c;
  }

  @AfterEach
  void tearDown() throws SQLException {
    h.reset("src");
  }

  @Test
  void waitingChangesSurviveTheUpgradeAndLaterSchemaChangesBreakNoWrite() throws SQLException {
    h.sql("CREATE TABLE src (id int PRIMARY KEY, v text, w int)",
        "INSERT INTO src SELECT g, 'v' || g, g FROM generate_series(1, 20) g");
    h.create("st", "SELECT id, v FROM src WHERE id % 2 = 0", "refresh_mode", "DIFFERENTIAL");
    h.create("st_full", "SELECT v, w FROM src", "refresh_mode", "FULL");
    String oid = h.value("SELECT 'src'::regclass::oid");
    String buffer = "pgtrickle_changes.changes_" + oid;
    String function = "pgtrickle_changes.capture_" + oid;
    String copy = "INSERT INTO " + buffer + " (__pgt_op, id, v, w) SELECT";
    h.sql("DROP FUNCTION " + function + "() CASCADE",
        "DROP TABLE " + buffer,
        "CREATE TABLE " + buffer + " (__pgt_seq bigint GENERATED ALWAYS AS IDENTITY,"
            + " __pgt_xid xid8 NOT NULL DEFAULT pg_current_xact_id(), __pgt_op \"char\" NOT NULL,"
            + " id int, v text, w int)",
        "CREATE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
            + " SET search_path = pg_catalog, pg_temp AS $f$BEGIN"
            + " IF TG_OP = 'INSERT' THEN " + copy + " 'I', n.id, n.v, n.w FROM __pgt_new n;"
            + " ELSIF TG_OP = 'UPDATE' THEN " + copy + " 'D', o.id, o.v, o.w FROM __pgt_old o; "
            + copy + " 'I', n.id, n.v, n.w FROM __pgt_new n;"
            + " ELSIF TG_OP = 'DELETE' THEN " + copy + " 'D', o.id, o.v, o.w FROM __pgt_old o;"
            + " ELSE INSERT INTO " + buffer + " (__pgt_op) VALUES ('T'); END IF;"
            + " RETURN NULL; END$f$",
        "CREATE TRIGGER pgtrickle_capture_ins AFTER INSERT ON src REFERENCING NEW TABLE AS"
            + " __pgt_new FOR EACH STATEMENT EXECUTE FUNCTION " + function + "()",
        "CREATE TRIGGER pgtrickle_capture_upd AFTER UPDATE ON src REFERENCING OLD TABLE AS"
            + " __pgt_old NEW TABLE AS __pgt_new FOR EACH STATEMENT EXECUTE FUNCTION "
            + function + "()",
        "CREATE TRIGGER pgtrickle_capture_del AFTER DELETE ON src REFERENCING OLD TABLE AS"
            + " __pgt_old FOR EACH STATEMENT EXECUTE FUNCTION " + function + "()",
        "CREATE TRIGGER pgtrickle_capture_trunc AFTER TRUNCATE ON src"
            + " FOR EACH STATEMENT EXECUTE FUNCTION " + function + "()",
        "DROP FUNCTION pgtrickle.create_capture_function(oid)",
        "ALTER TABLE pgtrickle.pgt_dependencies DROP COLUMN column_types",
        // V14 and V17 (the owner's executor) come after the buffer format's V13: undone too.
        "DROP FUNCTION pgtrickle.owner_executor(oid), pgtrickle.forget_owner_executors()",
        "DROP FUNCTION pgtrickle.take_scheduler_leadership(),"
            + " pgtrickle.resign_scheduler_leadership()",
        "DROP TABLE pgtrickle.pgt_scheduler_leader",
        // V15 (wake-ups) and V18 (the loop rule) too.
        "DROP TABLE pgtrickle.pgt_change_wakeups",
        "DROP FUNCTION pgtrickle.loop_limit_reached(text, text)",
        // V20 (WAL capture) gave pgt_cdc_status more columns; V16 creates the old shape again.
        "DROP FUNCTION pgtrickle.pgt_cdc_status()",
        // V22 (the learned refresh costs) too.
        "ALTER TABLE pgtrickle.pgt_stream_tables DROP COLUMN last_recompute_ms,"
            + " DROP COLUMN delta_refreshes, DROP COLUMN delta_rows_avg, DROP COLUMN delta_ms_avg,"
            + " DROP COLUMN delta_rows_sq_avg, DROP COLUMN delta_rows_ms_avg,"
            + " DROP COLUMN costly_streak",
        // V26 (the FULL refresh's functions) and V28 (the state rebuild's procedure) too.
        "DROP FUNCTION pgtrickle.plans_in_parallel(text), pgtrickle.full_replacement(oid, regclass)",
        "DROP PROCEDURE pgtrickle.insert_query_rows(regclass, text)",
        // V30 (the cleanup's third argument) too; V14 and V21 create the older ones again.
        "DROP FUNCTION pgtrickle.clean_up_changes(oid[], boolean, boolean)",
        "UPDATE pgtrickle.pgt_meta SET value = '12' WHERE key = 'catalog_version'");
    h.sql("UPDATE src SET v = NULL WHERE id = 2", "DELETE FROM src WHERE id = 4",
        "INSERT INTO src VALUES (22, 'new', 0), (24, 'o''quote', NULL)");
    assertThat(h.count("SELECT * FROM " + buffer)).isEqualTo(5);

    h.refresh("st");
    assertThat(CatalogInstaller.installedVersion(c)).isEqualTo(CatalogInstaller.CURRENT_VERSION);
    h.assertMatches("st", "SELECT id, v FROM src WHERE id % 2 = 0");
    assertThat(h.value("SELECT action FROM pgtrickle.pgt_refresh_history h"
        + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = 'st'"
        + " ORDER BY h.refresh_id DESC LIMIT 1")).isEqualTo("DIFFERENTIAL");
    assertThat(h.rows("SELECT column_types FROM pgtrickle.pgt_dependencies d"
        + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = 'st'"))
        .containsExactly(java.util.List.of("{integer,text}"));

    h.sql("ALTER TABLE src DROP COLUMN w", "ALTER TABLE src RENAME COLUMN v TO v2",
        "INSERT INTO src VALUES (26, 'after')", "UPDATE src SET v2 = 'x' WHERE id = 6");
    h.alter("st", "SELECT id, v2 AS v FROM src WHERE id % 2 = 0");
    h.sql("UPDATE src SET v2 = 'y' WHERE id = 8");
    h.refresh("st");
    h.assertMatches("st", "SELECT id, v2 AS v FROM src WHERE id % 2 = 0");
  }
}
