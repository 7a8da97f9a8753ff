package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.trickle.service.BadInputCase.Role;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every bad input of {@link BadInputCases}, sent through the driver: the driver refuses it with the
 * SQLSTATE and a message naming the object and the remedy, leaves nothing half-created or changed
 * (stream-table catalog rows, relations, triggers, functions, change buffers and stream-table rows
 * as before), and the connection stays usable. {@code docs/bad-inputs.md} lists the same table;
 * regenerate it with {@code -Dbadinputs.update=true}.
 */
class BadInputCatalogTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  static final String NOBODY = "trickle_bad_nobody";
  static final String WRITER = "trickle_bad_writer";
  private static final Path DOC = Path.of("..", "docs", "bad-inputs.md");

  /** What must not change: catalog rows, relations, triggers, functions, and row counts. */
  private static final String STATE =
      "SELECT concat_ws(E'\\n',"
          + " (SELECT string_agg(concat_ws(' ', pgt_id, pgt_schema, pgt_name, pgt_relid, defining_query,"
          + " requested_mode, effective_mode, schedule, is_populated, definition_version, %s), E'\\n'"
          + " ORDER BY pgt_id) FROM pgtrickle.pgt_stream_tables),"
          + " (SELECT string_agg(concat_ws(' ', pgt_id, source_relid, source_kind, columns_used), ','"
          + " ORDER BY pgt_id, source_relid) FROM pgtrickle.pgt_dependencies),"
          + " (SELECT string_agg(concat_ws(' ', pgt_id, source_relid, frontier), ','"
          + " ORDER BY pgt_id, source_relid) FROM pgtrickle.pgt_frontiers),"
          + " (SELECT string_agg(source_relid::text, ',' ORDER BY source_relid) FROM pgtrickle.pgt_change_buffers),"
          + " (SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' ORDER BY 1)"
          + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname"
          + " IN ('public', 'pgtrickle', 'pgtrickle_changes')),"
          + " (SELECT string_agg(tgrelid::regclass || '.' || tgname || ':' || tgenabled::text, ',' ORDER BY 1)"
          + " FROM pg_trigger WHERE NOT tgisinternal),"
          + " (SELECT string_agg(p.oid::regprocedure::text, ',' ORDER BY 1) FROM pg_proc p"
          + " WHERE p.pronamespace IN ('public'::regnamespace, 'pgtrickle_changes'::regnamespace)),"
          + " (SELECT count(*) FROM src), (SELECT count(*) FROM st_ok), %s)";

  @BeforeAll
  static void fixture() throws SQLException {
    try (Connection admin = db.connectAdmin();
        Statement s = admin.createStatement()) {
      for (String role : List.of(NOBODY, WRITER)) {
        s.execute("DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + role
            + "') THEN CREATE ROLE " + role + " LOGIN PASSWORD '" + role + "'; END IF; END$$");
        s.execute("GRANT CONNECT ON DATABASE " + db.name() + " TO " + role);
      }
      s.execute("GRANT TEMPORARY ON DATABASE " + db.name() + " TO " + WRITER);
    }
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE src (id int PRIMARY KEY, v int, d int)");
      s.execute("INSERT INTO src SELECT i, i, 1 FROM generate_series(1, 10) i");
      s.execute("CREATE TABLE plain (a int)");
      s.execute("CREATE VIEW vw AS SELECT id, v FROM src");
      s.execute("CREATE SEQUENCE seq1");
      s.execute("SELECT pgtrickle.create_stream_table('st_ok', 'SELECT id, v FROM src',"
          + " schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      s.execute("GRANT USAGE, CREATE ON SCHEMA public TO " + WRITER);
      s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON src, plain TO " + WRITER);
      s.execute("GRANT SELECT ON st_ok, vw TO " + WRITER);
      s.execute("INSERT INTO src VALUES (11, 11, 1)");
    }
  }

  @TestFactory
  Stream<DynamicTest> everyBadInputIsRefusedAndChangesNothing() {
    return BadInputCases.ALL.stream().map(c -> DynamicTest.dynamicTest(c.id(), () -> check(c)));
  }

  @Test
  void casesHaveUniqueIdsAndTheCatalogueIsLargeEnough() {
    Set<String> ids = new HashSet<>();
    for (BadInputCase c : BadInputCases.ALL) {
      assertThat(ids.add(c.id())).as("duplicate id %s", c.id()).isTrue();
    }
    assertThat(BadInputCases.ALL).hasSizeGreaterThanOrEqualTo(60);
  }

  @Test
  void theDocumentedTableIsTheCatalogue() throws IOException {
    String rendered = BadInputDoc.render(BadInputCases.ALL);
    if (Boolean.getBoolean("badinputs.update") || !Files.exists(DOC)) {
      Files.writeString(DOC, rendered);
    }
    assertThat(Files.readString(DOC))
        .as("docs/bad-inputs.md differs from BadInputCases; run with -Dbadinputs.update=true")
        .isEqualTo(rendered);
  }

  private static void check(BadInputCase c) throws SQLException {
    try (Connection owner = db.connectWithoutScheduler();
        Statement s = owner.createStatement()) {
      for (String sql : c.setup()) {
        s.execute(sql);
      }
      try {
        String before = state(s, c);
        Connection conn = c.role() == Role.OWNER ? owner : connect(c.role());
        try (Statement st = conn.createStatement()) {
          SQLException refused = null;
          try {
            st.execute(c.sql());
          } catch (SQLException e) {
            refused = e;
          }
          if (Boolean.getBoolean("badinputs.discover")) {
            System.out.println("DISCOVER " + c.id() + " | " + (refused == null ? "accepted"
                : refused.getSQLState() + " | " + refused.getMessage().replace('\n', ' ')));
            return;
          }
          if (refused == null) {
            fail("%s was accepted: %s", c.id(), c.sql());
          }
          assertThat(refused.getSQLState()).as("%s: %s", c.id(), refused.getMessage()).isEqualTo(c.sqlState());
          for (String part : c.message()) {
            assertThat(refused.getMessage()).as(c.id()).contains(part);
          }
          assertThat(conn.getAutoCommit()).as("%s: still in autocommit", c.id()).isTrue();
          try (ResultSet rs = st.executeQuery("SELECT 1")) {
            assertThat(rs.next()).as("%s: the connection is usable", c.id()).isTrue();
          }
        } finally {
          if (conn != owner) {
            conn.close();
          }
        }
        assertThat(state(s, c)).as("%s changed nothing", c.id()).isEqualTo(before);
      } finally {
        for (String sql : c.teardown()) {
          s.execute(sql);
        }
      }
    }
  }

  private static String state(Statement s, BadInputCase c) throws SQLException {
    String status = c.recordsFailure() ? "''" : "status, consecutive_errors";
    StringBuilder buffers = new StringBuilder("''");
    try (ResultSet rs = s.executeQuery("SELECT buffer_name FROM pgtrickle.pgt_change_buffers ORDER BY 1")) {
      while (rs.next()) {
        buffers.append(" || (SELECT count(*) FROM pgtrickle_changes.\"").append(rs.getString(1)).append("\")::text || ','");
      }
    }
    try (ResultSet rs = s.executeQuery(String.format(STATE, status, buffers))) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static Connection connect(Role role) throws SQLException {
    if (role == Role.OWNER) {
      return db.connectWithoutScheduler();
    }
    String name = role == Role.NOBODY ? NOBODY : WRITER;
    Properties p = new Properties();
    p.setProperty("user", name);
    p.setProperty("password", name);
    p.setProperty("trickle.scheduler", "false");
    return DriverManager.getConnection(db.trickleUrl(), p);
  }
}
