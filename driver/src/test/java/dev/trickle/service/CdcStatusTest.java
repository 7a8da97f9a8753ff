package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.LogicalDecodingServer;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code pgtrickle.pgt_cdc_status()}: every captured source once, with the cdc_mode its readers
 * ask for (a reader asking 'trigger' keeps the source on triggers, one asking 'wal' moves it), how it is captured, and, under {@code 'auto'}, exactly what this server and role lack
 * for logical decoding (the shared test server runs with {@code wal_level = replica}; {@link
 * LogicalDecodingServer} with {@code wal_level = logical}).
 */
class CdcStatusTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String REPLICATOR = "trickle_cdc_" + ProcessHandle.current().pid();

  private Connection c;
  private ServiceHarness h;

  @BeforeEach
  void setUp() throws SQLException {
    h = ServiceHarness.installed(db);
    c = h.c;
    h.sql("CREATE TABLE keyed (id int PRIMARY KEY, v text)",
        "CREATE TABLE unkeyed (v text)",
        "CREATE TABLE other (id int PRIMARY KEY)");
    h.create("keyed_trigger", "SELECT id, v FROM keyed", "refresh_mode", "DIFFERENTIAL");
    h.create("keyed_auto", "SELECT count(*) AS n FROM keyed", "cdc_mode", "auto");
    h.create("unkeyed_auto", "SELECT v FROM unkeyed", "cdc_mode", "AUTO");
    h.create("other_trigger", "SELECT id FROM other", "cdc_mode", "trigger");
  }

  @AfterEach
  void tearDown() throws SQLException {
    h.reset("keyed", "unkeyed", "other");
    try (Connection admin = db.connectAdmin(); Statement st = admin.createStatement()) {
      st.execute("DROP ROLE IF EXISTS " + REPLICATOR);
    }
  }

  private static List<List<String>> status(Connection as) throws SQLException {
    return new ServiceHarness(as).rows("SELECT source_table, cdc_mode, capture, reason FROM pgtrickle.pgt_cdc_status()");
  }

  @Test
  void triggerSourcesSayTriggerAndAutoSourcesSayWhatLogicalDecodingLacks() throws SQLException {
    String lacks = "stays on triggers: wal_level is replica; logical decoding needs wal_level ="
        + " logical (ALTER SYSTEM SET wal_level = logical, then restart the server); role"
        + " trickle_app has neither the REPLICATION attribute nor superuser"
        + " (ALTER ROLE trickle_app REPLICATION)";
    assertThat(status(c)).containsExactly(
        List.of("public.keyed", "trigger", "trigger", "cdc_mode 'trigger'"),
        List.of("public.other", "trigger", "trigger", "cdc_mode 'trigger'"),
        List.of("public.unkeyed", "auto", "trigger", lacks));

    h.alter("keyed_auto", null, "cdc_mode", "trigger");
    h.drop("unkeyed_auto", false);
    assertThat(status(c)).containsExactly(
        List.of("public.keyed", "trigger", "trigger", "cdc_mode 'trigger'"),
        List.of("public.other", "trigger", "trigger", "cdc_mode 'trigger'"));
  }

  @Test
  void aRoleWithTheReplicationAttributeOrASuperuserLacksOnlyTheServerSetting()
      throws SQLException {
    try (Connection admin = db.connectAdmin(); Statement st = admin.createStatement()) {
      st.execute("CREATE ROLE " + REPLICATOR + " LOGIN PASSWORD 'x' REPLICATION IN ROLE "
          + PostgresFixture.APP_ROLE);
      List<List<String>> bySuperuser = status(admin);
      assertThat(bySuperuser.get(2).get(3)).isEqualTo("stays on triggers: wal_level is replica;"
          + " logical decoding needs wal_level = logical (ALTER SYSTEM SET wal_level = logical,"
          + " then restart the server)");
    }
    Properties replicator = new Properties();
    replicator.setProperty("user", REPLICATOR);
    replicator.setProperty("password", "x");
    try (Connection r = DriverManager.getConnection(db.plainUrl(), replicator)) {
      assertThat(status(r)).extracting(row -> row.get(3)).containsExactly(
          "cdc_mode 'trigger'",
          "cdc_mode 'trigger'",
          "stays on triggers: wal_level is replica; logical decoding needs wal_level = logical"
              + " (ALTER SYSTEM SET wal_level = logical, then restart the server)");
    }
  }

  @Test
  void whereLogicalDecodingIsAvailableTheStatusSaysSoAndNamesAFullSlotTable() throws SQLException {
    String role = REPLICATOR + "_logical";
    String database = "trickle_cdc_" + ProcessHandle.current().pid();
    try (Connection admin = DriverManager.getConnection(LogicalDecodingServer.adminUrl());
        Statement st = admin.createStatement()) {
      st.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'x' REPLICATION");
      st.execute("CREATE DATABASE " + database + " OWNER " + role);
      String url = LogicalDecodingServer.url(role, "x").replace("/postgres?", "/" + database + "?");
      try (Connection owner = DriverManager.getConnection(url)) {
        ServiceHarness o = new ServiceHarness(owner);
        o.createExtension();
        o.sql("CREATE TABLE keyed (id int PRIMARY KEY, v text)");
        o.create("keyed_auto", "SELECT id, v FROM keyed", "cdc_mode", "auto");
        assertThat(status(owner)).containsExactly(List.of("public.keyed", "auto", "trigger",
            "logical decoding is available: the scheduler's leader moves the source to WAL"
                + " capture at its next pass"));

        st.execute("SELECT pg_create_logical_replication_slot('trickle_cdc_test', 'pgoutput')");
        try {
          assertThat(status(owner)).extracting(row -> row.get(3)).containsExactly(
              "stays on triggers: all " + LogicalDecodingServer.REPLICATION_SLOTS
                  + " replication slots are in use (max_replication_slots)");
        } finally {
          st.execute("SELECT pg_drop_replication_slot('trickle_cdc_test')");
        }
      } finally {
        st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        st.execute("DROP ROLE IF EXISTS " + role);
      }
    }
  }
}
