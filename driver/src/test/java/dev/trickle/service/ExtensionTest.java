package dev.trickle.service;

import static dev.trickle.service.SqlStates.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.catalog.CatalogInstaller;
import dev.trickle.rewriter.command.TrickleCommand;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** CREATE/DROP EXTENSION pg_trickle: install, upgrade, idempotence, removal. */
class ExtensionTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private Connection c;
  private ServiceHarness h;

  @BeforeEach
  void setUp() throws SQLException {
    c = db.connectPlain();
    h = new ServiceHarness(c);
  }

  @AfterEach
  void tearDown() throws SQLException {
    h.reset("t");
  }

  @Test
  void installIsIdempotentAndRecordsItsVersion() throws SQLException {
    h.run(new TrickleCommand.CreateExtension(false));
    assertThat(h.takeWarnings()).isEmpty();
    h.run(new TrickleCommand.CreateExtension(false));
    h.run(new TrickleCommand.CreateExtension(true));
    assertThat(h.takeWarnings()).hasSize(2).allMatch(w -> w.contains("already exists"));
    assertThat(h.value("SELECT value FROM pgtrickle.pgt_meta WHERE key = 'catalog_version'"))
        .isEqualTo(Integer.toString(CatalogInstaller.CURRENT_VERSION));
    assertThat(h.value("SELECT nspowner::regrole::text FROM pg_namespace"
        + " WHERE nspname = 'pgtrickle'")).isEqualTo(PostgresFixture.APP_ROLE);
  }

  @Test
  void anOlderCatalogIsUpgradedByTheNextCommand() throws SQLException {
    h.createExtension();
    h.sql("DROP VIEW pgtrickle.pg_stat_stream_tables",
        "DROP FUNCTION pgtrickle.health_check(), pgtrickle.pgt_status(),"
            + " pgtrickle.refresh_timeline(integer), pgtrickle.get_refresh_history(text, integer),"
            + " pgtrickle.change_buffer_sizes(), pgtrickle.list_sources(text),"
            + " pgtrickle.trigger_inventory(), pgtrickle.dependency_tree(),"
            + " pgtrickle.dependency_subtree(bigint, text, text, integer),"
            + " pgtrickle.diamond_groups(), pgtrickle.worker_pool_status(),"
            + " pgtrickle.parallel_job_status(integer), pgtrickle.explain_st(text),"
            + " pgtrickle.pending_stream_tables(), pgtrickle.confirm_current(bigint[], timestamptz)",
        "DROP FUNCTION pgtrickle.create_capture_function(oid)",
        "ALTER TABLE pgtrickle.pgt_dependencies DROP COLUMN column_types",
        "DROP FUNCTION pgtrickle.clean_up_changes(oid[], boolean, boolean)",
        "DROP FUNCTION pgtrickle.owner_executor(oid), pgtrickle.forget_owner_executors()",
        "DROP FUNCTION pgtrickle.take_scheduler_leadership(),"
            + " pgtrickle.resign_scheduler_leadership()",
        "DROP TABLE pgtrickle.pgt_scheduler_leader",
        "DROP TABLE pgtrickle.pgt_missed_changes",
        "DROP FUNCTION pgtrickle.unconsumed(xid8, bigint, pg_snapshot, xid8, bigint)",
        "ALTER TABLE pgtrickle.pgt_frontiers DROP COLUMN own_xid, DROP COLUMN own_seq",
        "DROP INDEX pgtrickle.pgt_jobs_enqueued_idx",
        "ALTER TABLE pgtrickle.pgt_stream_tables DROP COLUMN plan_explain, DROP COLUMN plan_delta_sql",
        "DROP FUNCTION pgtrickle.loop_limit_reached(text, text)",
        "DROP FUNCTION pgtrickle.pgt_cdc_status()",
        "ALTER TABLE pgtrickle.pgt_stream_tables DROP COLUMN last_recompute_ms,"
            + " DROP COLUMN delta_refreshes, DROP COLUMN delta_rows_avg, DROP COLUMN delta_ms_avg,"
            + " DROP COLUMN delta_rows_sq_avg, DROP COLUMN delta_rows_ms_avg,"
            + " DROP COLUMN costly_streak",
        "DROP FUNCTION pgtrickle.plans_in_parallel(text), pgtrickle.full_replacement(oid, regclass)",
        "DROP PROCEDURE pgtrickle.insert_query_rows(regclass, text)",
        "UPDATE pgtrickle.pgt_meta SET value = '1' WHERE key = 'catalog_version'",
        "CREATE TABLE t (x int)");
    h.create("st", "SELECT x FROM t", "refresh_mode", "FULL");
    assertThat(h.rows("SELECT name FROM pgtrickle.pgt_status()")).containsExactly(List.of("public.st"));
    assertThat(CatalogInstaller.installedVersion(c)).isEqualTo(CatalogInstaller.CURRENT_VERSION);
  }

  @Test
  void aNewerCatalogOrNoneIsRefused() throws SQLException {
    assertFails(() -> h.refresh("st"), "42P01",
        "the Trickle catalog is not installed in this database; run CREATE EXTENSION pg_trickle");
    h.createExtension();
    h.sql("UPDATE pgtrickle.pgt_meta SET value = '999' WHERE key = 'catalog_version'");
    assertFails(() -> h.refresh("st"), "55000", "newer than this driver supports");
    h.sql("UPDATE pgtrickle.pgt_meta SET value = '"
        + CatalogInstaller.CURRENT_VERSION + "' WHERE key = 'catalog_version'");
  }

  @Test
  void concurrentInstallersSerialize() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<CatalogInstaller.Outcome>> runs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        runs.add(pool.submit(() -> {
          try (Connection own = db.connectPlain()) {
            own.setAutoCommit(false);
            CatalogInstaller.Outcome outcome = CatalogInstaller.install(own);
            own.commit();
            return outcome;
          }
        }));
      }
      List<CatalogInstaller.Outcome> outcomes = new ArrayList<>();
      for (Future<CatalogInstaller.Outcome> run : runs) {
        outcomes.add(run.get(60, TimeUnit.SECONDS));
      }
      assertThat(outcomes).containsOnlyOnce(CatalogInstaller.Outcome.INSTALLED)
          .filteredOn(o -> o != CatalogInstaller.Outcome.INSTALLED)
          .containsOnly(CatalogInstaller.Outcome.ALREADY_CURRENT);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aRolledBackInstallLeavesNothing() throws SQLException {
    c.setAutoCommit(false);
    h.createExtension();
    c.rollback();
    c.setAutoCommit(true);
    assertThat(CatalogInstaller.installedVersion(c)).isZero();
  }

  @Test
  void dropRefusesWhileStreamTablesExistUnlessCascade() throws SQLException {
    h.createExtension();
    h.sql("CREATE TABLE t (x int)");
    h.create("st", "SELECT x FROM t", "refresh_mode", "FULL");
    assertFails(() -> h.run(new TrickleCommand.DropExtension(false, false)), "2BP01",
        "cannot drop extension pg_trickle because stream tables exist: public.st");
    h.run(new TrickleCommand.DropExtension(false, true));
    assertThat(h.count("SELECT * FROM pg_namespace WHERE nspname LIKE 'pgtrickle%'")).isZero();
    assertThat(h.count("SELECT * FROM pg_trigger WHERE tgrelid = 't'::regclass")).isZero();
    assertThat(h.value("SELECT to_regclass('public.st') IS NULL")).isEqualTo("t");
    h.sql("INSERT INTO t VALUES (1)");
    h.run(new TrickleCommand.DropExtension(true, false));
    assertThat(h.takeWarnings()).anyMatch(w -> w.contains("does not exist, skipping"));
    assertFails(() -> h.run(new TrickleCommand.DropExtension(false, false)), "42P01",
        "extension \"pg_trickle\" does not exist");
  }
}
