package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import dev.trickle.rewriter.command.TrickleCommand.CreateMode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LifecycleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private Connection c;
  private ServiceHarness h;

  @BeforeEach
  void setUp() throws SQLException {
    h = ServiceHarness.installed(db);
    c = h.c;
    h.sql(
        "DROP SCHEMA IF EXISTS app CASCADE",
        "CREATE SCHEMA app",
        "SET search_path = app, public",
        "CREATE TABLE app.emp (id int PRIMARY KEY, dept text, salary numeric(10,2))",
        "INSERT INTO app.emp VALUES (1, 'a', 10.50), (2, 'a', 20), (3, 'b', 5)");
    h.takeWarnings();
  }

  @AfterEach
  void tearDown() throws SQLException {
    h.reset();
  }

  @Test
  void createPopulatesARealTableWithTheQueryColumns() throws SQLException {
    h.create("by_dept", "SELECT dept, sum(salary) AS total, count(*) AS n FROM emp GROUP BY dept");
    assertThat(h.takeWarnings()).noneMatch(w -> w.contains("uses FULL refresh"));
    h.assertMatches("app.by_dept", "SELECT dept, sum(salary), count(*) FROM emp GROUP BY dept");
    assertThat(h.rows("SELECT column_name, data_type FROM information_schema.columns"
            + " WHERE table_schema = 'app' AND table_name = 'by_dept' ORDER BY ordinal_position"))
        .containsExactly(
            List.of("dept", "text"), List.of("total", "numeric"), List.of("n", "bigint"));
    assertThat(h.rows("SELECT status, is_populated, refresh_mode FROM pgtrickle.pgt_status()"))
        .containsExactly(List.of("ACTIVE", "t", "DIFFERENTIAL"));
  }

  @Test
  void autoFallsBackToFullWithAWarningNamingTheConstruct() throws SQLException {
    h.create("sampled", "SELECT id, random() AS r FROM emp");
    assertThat(h.takeWarnings())
        .anyMatch(w -> w.contains("uses FULL refresh") && w.contains("volatile function random()"));
    assertThat(h.rows("SELECT refresh_mode FROM pgtrickle.pgt_status()"))
        .containsExactly(List.of("FULL"));
  }

  @Test
  void directWritesAreRefused() throws SQLException {
    h.create("copy", "SELECT * FROM emp");
    for (String write :
        List.of(
            "INSERT INTO copy VALUES (9, 'x', 1)",
            "UPDATE copy SET dept = 'z'",
            "DELETE FROM copy",
            "TRUNCATE copy")) {
      assertThatThrownBy(() -> h.sql(write))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("0A000"))
          .hasMessageContaining("app.copy is a stream table maintained by Trickle");
    }
  }

  @Test
  void refreshBringsItUpToDate() throws SQLException {
    h.create("copy", "SELECT * FROM emp", "schedule", "1m");
    h.sql("INSERT INTO emp VALUES (4, 'c', 1)", "UPDATE emp SET id = 10 WHERE id = 1",
        "DELETE FROM emp WHERE id = 3");
    h.refresh("copy");
    h.assertMatches("copy", "SELECT * FROM emp");
    assertThat(h.rows("SELECT action, status, rows_inserted, rows_deleted"
            + " FROM pgtrickle.get_refresh_history('app.copy') ORDER BY start_time DESC LIMIT 1"))
        .containsExactly(List.of("DIFFERENTIAL", "COMPLETED", "2", "2"));
  }

  @Test
  void alterChangesSettingsAndLeavesNullOnesAlone() throws SQLException {
    h.create("copy", "SELECT * FROM emp", "schedule", "5m", "refresh_mode", "FULL");
    h.alter("copy", null, "schedule", "1h30m", "diamond_schedule_policy", "slowest",
        "refresh_mode", null);
    assertThat(h.rows("SELECT schedule, diamond_schedule_policy, requested_mode,"
            + " definition_version FROM pgtrickle.pgt_stream_tables"))
        .containsExactly(List.of("1h30m", "slowest", "FULL", "2"));
    h.alter("copy", null, "schedule", "calculated");
    assertThat(h.value("SELECT schedule FROM pgtrickle.pgt_status()")).isEqualTo("calculated");
  }

  @Test
  void alterQueryMigratesTheStorageInPlaceAndRepopulates() throws SQLException {
    h.create("copy", "SELECT id, dept, salary FROM emp", "refresh_mode", "FULL");
    h.sql("CREATE INDEX copy_dept ON copy (dept)", "GRANT SELECT ON copy TO PUBLIC");
    String oid = h.value("SELECT 'copy'::regclass::oid");
    h.alter("copy", "SELECT id, upper(dept) AS dept, salary * 2 AS doubled FROM emp");
    assertThat(h.value("SELECT 'copy'::regclass::oid")).isEqualTo(oid);
    assertThat(h.value("SELECT to_regclass('app.copy_dept') IS NOT NULL")).isEqualTo("t");
    h.assertMatches("copy", "SELECT id, upper(dept), salary * 2 FROM emp");
    assertThat(h.rows("SELECT column_name FROM information_schema.columns"
            + " WHERE table_name = 'copy' ORDER BY ordinal_position"))
        .extracting(r -> r.get(0)).containsExactly("id", "dept", "doubled");
    assertThat(h.value("SELECT action FROM pgtrickle.refresh_timeline(1)"))
        .isEqualTo("REINITIALIZE");
    SqlStates.assertFails(() -> h.alter("copy", "SELECT dept, id FROM emp"), "0A000",
        "returns its existing columns in another order");
  }

  @Test
  void createOrReplaceIsIdempotentAndConverges() throws SQLException {
    h.create(CreateMode.OR_REPLACE, "r", "SELECT id FROM emp", "schedule", "2m");
    h.create(CreateMode.OR_REPLACE, "r", "SELECT id FROM emp", "schedule", "2m");
    assertThat(h.value("SELECT definition_version FROM pgtrickle.pgt_stream_tables"))
        .as("identical: no-op").isEqualTo("1");
    h.create(CreateMode.OR_REPLACE, "r", "SELECT id FROM emp", "schedule", "10m");
    assertThat(h.rows("SELECT schedule, definition_version FROM pgtrickle.pgt_stream_tables"))
        .as("settings only: altered").containsExactly(List.of("10m", "2"));
    assertThat(h.count("SELECT * FROM pgtrickle.pgt_refresh_history")).isEqualTo(1);
    h.create(CreateMode.OR_REPLACE, "r", "SELECT id, salary FROM emp", "schedule", "10m");
    h.assertMatches("r", "SELECT id, salary FROM emp");
    assertThat(h.value("SELECT definition_version FROM pgtrickle.pgt_stream_tables"))
        .isEqualTo("3");
  }

  @Test
  void dropRemovesEverythingAndCascadeTakesDependents() throws SQLException {
    h.create("a", "SELECT * FROM emp", "refresh_mode", "FULL");
    h.create("b", "SELECT dept FROM a", "refresh_mode", "FULL");
    h.create("c", "SELECT count(*) AS n FROM b", "refresh_mode", "FULL");
    SqlStates.assertFails(() -> h.drop("a", false), "2BP01",
        "cannot drop stream table app.a because other stream tables read it: app.b;"
            + " drop them first or use cascade => true");
    h.drop("a", true);
    assertThat(h.count("SELECT * FROM pgtrickle.pgt_stream_tables")).isZero();
    assertThat(h.count("SELECT * FROM pg_tables WHERE schemaname = 'app'")).isEqualTo(1);
    assertThat(h.count("SELECT * FROM pg_trigger WHERE tgname LIKE 'pgtrickle%'")).isZero();
    assertThat(h.count("SELECT * FROM pgtrickle.pgt_change_buffers")).isZero();
    assertThat(h.count("SELECT * FROM pgtrickle.pgt_refresh_history")).isZero();
  }

  @Test
  void cyclesAreRefused() throws SQLException {
    h.create("a", "SELECT id, dept FROM emp", "refresh_mode", "FULL");
    h.create("b", "SELECT id, dept FROM a", "refresh_mode", "FULL");
    SqlStates.assertFails(() -> h.alter("a", "SELECT id, dept FROM b"), "3F000",
        "stream table app.a would depend on itself (app.a reads app.b reads app.a)");
    SqlStates.assertFails(() -> h.alter("a", "SELECT id, dept FROM a"), "3F000",
        "(app.a reads app.a)");
    h.assertMatches("a", "SELECT id, dept FROM emp");
  }

  @Test
  void aCallerRollbackUndoesACreateEntirely() throws SQLException {
    c.setAutoCommit(false);
    h.create("gone", "SELECT * FROM emp");
    assertThat(h.count("SELECT * FROM gone")).isEqualTo(3);
    c.rollback();
    c.setAutoCommit(true);
    assertThat(h.value("SELECT to_regclass('app.gone') IS NULL")).isEqualTo("t");
    assertThat(h.count("SELECT * FROM pgtrickle.pgt_stream_tables")).isZero();
    assertThat(h.count("SELECT * FROM pg_trigger WHERE tgname LIKE 'pgtrickle%'")).isZero();
  }

  @Test
  void aFailedCommandInsideACallerTransactionLeavesItUsable() throws SQLException {
    c.setAutoCommit(false);
    h.create("kept", "SELECT id FROM emp", "refresh_mode", "FULL");
    SqlStates.assertFails(() -> h.create("bad", "SELECT nope FROM emp"), "42703", "app.bad");
    h.create("also", "SELECT dept FROM emp", "refresh_mode", "FULL");
    c.commit();
    c.setAutoCommit(true);
    assertThat(h.rows("SELECT name FROM pgtrickle.pgt_status()"))
        .extracting(r -> r.get(0)).containsExactly("app.also", "app.kept");
  }

  @Test
  void quotedUpperCaseSpacedAndNonAsciiIdentifiersWorkEverywhere() throws SQLException {
    h.sql("CREATE SCHEMA \"Straße Ü\"",
        "CREATE TABLE \"Straße Ü\".\"Quelle \"\"X\"\"\" (\"Größe\" int, \"Col A\" text)",
        "INSERT INTO \"Straße Ü\".\"Quelle \"\"X\"\"\" VALUES (1, 'a'), (2, 'b')");
    String name = "\"Straße Ü\".\"Ström \"\"Tab\"\"\"";
    h.create(name, "SELECT \"Größe\", \"Col A\" AS \"Spalte B\" FROM \"Straße Ü\".\"Quelle \"\"X\"\"\"",
        "refresh_mode", "FULL");
    h.create("naïve", "SELECT \"Spalte B\" FROM " + name, "refresh_mode", "FULL");
    h.sql("UPDATE \"Straße Ü\".\"Quelle \"\"X\"\"\" SET \"Col A\" = 'z'");
    h.refresh(name);
    h.refresh("NAïVE");
    assertThat(h.rows("SELECT * FROM \"naïve\"")).containsExactly(List.of("z"), List.of("z"));
    assertThat(h.rows("SELECT name FROM pgtrickle.pgt_status() ORDER BY 1"))
        .extracting(r -> r.get(0))
        .containsExactly("\"Straße Ü\".\"Ström \"\"Tab\"\"\"", "app.\"naïve\"");
    assertThat(h.count("SELECT * FROM pgtrickle.get_refresh_history('"
        + name.replace("'", "''") + "')")).isEqualTo(2);
    assertThat(h.rows("SELECT source_table, columns_used::text FROM pgtrickle.list_sources('naïve')"))
        .containsExactly(List.of("\"Straße Ü\".\"Ström \"\"Tab\"\"\"", "{\"Spalte B\"}"));
    h.drop("naïve", false);
    h.drop(name, false);
    assertThat(h.count("SELECT * FROM pgtrickle.pgt_stream_tables")).isZero();
  }

  @Test
  void unqualifiedNamesFollowTheSearchPath() throws SQLException {
    h.create("public.shadowed", "SELECT 1 AS x", "refresh_mode", "FULL");
    h.create("shadowed", "SELECT 2 AS x", "refresh_mode", "FULL");
    assertThat(h.value("SELECT x FROM app.shadowed")).isEqualTo("2");
    h.drop("shadowed", false);
    assertThat(h.rows("SELECT name FROM pgtrickle.pgt_status()"))
        .containsExactly(List.of("public.shadowed"));
    h.refresh("shadowed");
    h.drop("public.shadowed", false);
  }

  @Test
  void viewsAreExpandedToTheirBaseTables() throws SQLException {
    h.sql("CREATE VIEW rich AS SELECT id, salary FROM emp WHERE salary > 6");
    h.create("rich_st", "SELECT count(*) AS n FROM rich", "refresh_mode", "FULL");
    assertThat(h.rows("SELECT source_table, source_type, columns_used::text"
            + " FROM pgtrickle.list_sources('rich_st')"))
        .containsExactly(List.of("app.emp", "TABLE", "{id,salary}"),
            List.of("app.rich", "VIEW", "{}"));
    h.sql("INSERT INTO emp VALUES (7, 'z', 100)");
    h.refresh("rich_st");
    assertThat(h.value("SELECT n FROM rich_st")).isEqualTo("3");
  }

  @Test
  void materializedViewSourcesOnlyAllowFull() throws SQLException {
    h.sql("CREATE MATERIALIZED VIEW m AS SELECT dept FROM emp");
    SqlStates.assertFails(
        () -> h.create("m_st", "SELECT * FROM m", "refresh_mode", "DIFFERENTIAL"), "0A000",
        "source app.m is a materialized view, whose changes cannot be captured");
    h.create("m_st", "SELECT * FROM m");
    assertThat(h.takeWarnings()).anyMatch(w -> w.contains("app.m is a materialized view"));
    h.sql("REFRESH MATERIALIZED VIEW m");
    h.refresh("m_st");
    assertThat(h.value("SELECT reason FROM pgtrickle.pgt_refresh_history ORDER BY refresh_id DESC"
        + " LIMIT 1")).isEqualTo("refresh mode FULL; changes of a source cannot be captured");
  }
}
