package dev.trickle.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The WAL capture checks read the plan only while WAL capture is in play ({@link
 * WalCaptureLifecycle#inPlay}): the cheap question must say yes whenever the plan could want the
 * slot or a move, and no for a database whose stream tables all use triggers. Where it says no,
 * the full check agrees that nothing is to be done.
 */
class WalCaptureInPlayTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private Connection trickle;
  private Connection plain;
  private Statement s;
  private String slot;

  @BeforeEach
  void setUp() throws SQLException {
    trickle = db.connectWithoutScheduler();
    plain = db.connectPlain();
    s = trickle.createStatement();
    s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
    s.execute("CREATE TABLE src (id int PRIMARY KEY, v int)");
    s.execute("CREATE TABLE other (id int PRIMARY KEY, v int)");
    s.execute("SELECT pgtrickle.create_stream_table(name => 'st', query => 'SELECT * FROM src',"
        + " schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
    s.execute("SELECT pgtrickle.create_stream_table(name => 'st2',"
        + " query => 'SELECT * FROM other', schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
    slot = WalSlot.name(plain);
  }

  @AfterEach
  void tearDown() throws SQLException {
    s.execute("DROP EXTENSION IF EXISTS pg_trickle CASCADE");
    s.execute("DROP TABLE IF EXISTS src, other");
    plain.close();
    trickle.close();
  }

  @Test
  void notInPlayWhileEveryStreamTableUsesTriggers() throws SQLException {
    assertThat(WalCaptureLifecycle.inPlay(plain, slot)).isFalse();
    assertThat(WalCaptureLifecycle.check(plain, slot)).as("the plan wants nothing either").isFalse();
  }

  @Test
  void inPlayAsSoonAsAStreamTableAsksForTheWal() throws SQLException {
    s.execute("SELECT pgtrickle.alter_stream_table('st2', cdc_mode => 'auto')");
    assertThat(WalCaptureLifecycle.inPlay(plain, slot)).isTrue();
    s.execute("SELECT pgtrickle.alter_stream_table('st2', cdc_mode => 'trigger')");
    assertThat(WalCaptureLifecycle.inPlay(plain, slot)).isFalse();
    assertThat(WalCaptureLifecycle.check(plain, slot)).isFalse();
  }

  /**
   * IMMEDIATE stream tables read no buffer: whatever their cdc_mode, they neither bring WAL capture
   * into play nor have a say in how a source their deferred neighbours read is captured.
   */
  @Test
  void immediateStreamTablesHaveNoSayInWalCapture() throws SQLException {
    s.execute("CREATE TABLE imm_src (id int PRIMARY KEY, v int)");
    try {
      s.execute("CREATE STREAM TABLE imm WITH (refresh_mode = 'IMMEDIATE', cdc_mode = 'auto') AS"
          + " SELECT id, v FROM imm_src");
      assertThat(WalCaptureLifecycle.inPlay(plain, slot)).as("IMMEDIATE asking 'auto'").isFalse();
      assertThat(WalCaptureLifecycle.check(plain, slot)).isFalse();
      s.execute("SELECT pgtrickle.create_stream_table('imm_other', 'SELECT id, v FROM other',"
          + " refresh_mode => 'IMMEDIATE', cdc_mode => 'trigger')");
      s.execute("SELECT pgtrickle.alter_stream_table('st2', cdc_mode => 'auto')");
      try (Statement p = plain.createStatement();
          ResultSet rs = p.executeQuery("SELECT source_table, cdc_mode FROM"
              + " pgtrickle.wal_capture_plan() ORDER BY source_table")) {
        List<String> plan = new ArrayList<>();
        while (rs.next()) {
          plan.add(rs.getString(1) + " " + rs.getString(2));
        }
        assertThat(plan).as("the plan: no imm_src, and other as its DIFFERENTIAL reader asks")
            .containsExactly("public.other auto", "public.src trigger");
      }
    } finally {
      s.execute("DROP STREAM TABLE IF EXISTS imm");
      s.execute("DROP TABLE imm_src");
    }
  }

  @Test
  void inPlayWhileASourceIsCapturedFromTheWalOrStillDraining() throws SQLException {
    String buffer = "UPDATE pgtrickle.pgt_change_buffers SET %s"
        + " WHERE source_relid = 'other'::regclass";
    try (Statement p = plain.createStatement()) {
      p.execute(String.format(buffer, "capture = 'wal'"));
      assertThat(WalCaptureLifecycle.inPlay(plain, slot)).as("captured from the WAL").isTrue();
      p.execute(String.format(buffer, "capture = 'trigger', wal_until_lsn = '0/1'"));
      assertThat(WalCaptureLifecycle.inPlay(plain, slot)).as("draining").isTrue();
      p.execute(String.format(buffer, "wal_until_lsn = NULL"));
      assertThat(WalCaptureLifecycle.inPlay(plain, slot)).isFalse();
    }
  }

  @Test
  void inPlayWhileTheSlotsCatalogRowRemains() throws SQLException {
    try (Statement p = plain.createStatement()) {
      p.execute("INSERT INTO pgtrickle.pgt_wal_capture (slot_name, publication_name,"
          + " confirmed_lsn) VALUES ('" + slot + "', 'pgtrickle_capture', '0/1')");
      assertThat(WalCaptureLifecycle.inPlay(plain, slot)).isTrue();
      p.execute("DELETE FROM pgtrickle.pgt_wal_capture");
    }
    assertThat(WalCaptureLifecycle.inPlay(plain, slot)).isFalse();
  }
}
