package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.StreamTableChecks;
import dev.trickle.testing.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The capture writes a statement's rows into the buffer's typed columns while the source has the
 * columns its capture function was written for, and falls back to json row images when it may not
 * (catalog V25): a writer on a long-lived connection (its capture function's plans cached) keeps
 * writing through schema changes made by another session, no write fails, the path taken is the
 * one expected, and the stream tables equal their queries after every refresh.
 */
class TypedCaptureTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String FILTER =
      "SELECT id, qty, price, label, tags FROM src WHERE qty > 2";
  private static final String AGGREGATE =
      "SELECT label, count(*) AS n, sum(price) AS total FROM src GROUP BY label";

  private Connection admin;
  private Statement s;
  private Connection writer;
  private final Random random = new Random(20261207L);
  private int nextId = 10_000;
  private long seenSeq;

  @BeforeEach
  void setUp() throws SQLException {
    admin = db.connectWithoutScheduler();
    s = admin.createStatement();
    s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
    s.execute("CREATE DOMAIN positive AS int CHECK (VALUE > 0)");
    s.execute("CREATE TABLE src (id int PRIMARY KEY, qty positive, price numeric(10,2),"
        + " label varchar(8), tags positive[], note varchar(10))");
    s.execute("INSERT INTO src SELECT g, 1 + g % 5, g * 1.25, 'l' || g % 4,"
        + " CASE WHEN g % 3 = 0 THEN NULL ELSE ARRAY[g % 7 + 1] END, 'n' || g"
        + " FROM generate_series(1, 2000) g");
    s.execute("SELECT pgtrickle.create_stream_table('st_filter', $q$" + FILTER
        + "$q$, refresh_mode => 'DIFFERENTIAL', schedule => '1h')");
    s.execute("SELECT pgtrickle.create_stream_table('st_agg', $q$" + AGGREGATE
        + "$q$, refresh_mode => 'DIFFERENTIAL', schedule => '1h')");
    writer = db.connectWithoutScheduler();
  }

  @AfterEach
  void tearDown() throws SQLException {
    writer.close();
    s.execute("DROP STREAM TABLE IF EXISTS st_filter");
    s.execute("DROP STREAM TABLE IF EXISTS st_agg");
    s.execute("DROP STREAM TABLE IF EXISTS st_extra");
    s.execute("DROP TABLE IF EXISTS src, doc");
    s.execute("DROP DOMAIN IF EXISTS positive CASCADE");
    admin.close();
  }

  @Test
  void writesGoOnThroughSchemaChangesAndTheStreamTablesFollow() throws SQLException {
    writeAndCheck("typed");

    s.execute("ALTER TABLE src RENAME COLUMN note TO remark");
    writeAndCheck("typed");

    s.execute("ALTER TABLE src ALTER COLUMN remark TYPE varchar(200)");
    writeAndCheck("typed");

    s.execute("ALTER TABLE src ADD COLUMN extra int DEFAULT 7");
    writeAndCheck("json");

    s.execute("ALTER TABLE src DROP COLUMN extra");
    writeAndCheck("typed");

    s.execute("ALTER TABLE src ALTER COLUMN remark TYPE int USING length(remark)");
    writeAndCheck("json");

    s.execute("ALTER TABLE src ALTER COLUMN remark TYPE text");
    s.execute("SELECT pgtrickle.create_stream_table('st_extra', $q$SELECT id, remark FROM src$q$,"
        + " refresh_mode => 'DIFFERENTIAL', schedule => '1h')");
    writeAndCheck("typed");
    refreshAndCheck("st_extra", "SELECT id, remark FROM src");

    s.execute("VACUUM FULL src");
    writeAndCheck("typed");

    s.execute("ALTER TABLE src DROP COLUMN remark");
    writeAndCheck("json");
  }

  /**
   * A role with only grants on the source writes through the typed capture (the capture function
   * checks the source's columns with its owner's rights), in SQL-text transactions with a rollback,
   * and its committed writes reach the stream tables.
   */
  @Test
  void aWriterWithGrantsOnlyWritesTypedRows() throws SQLException {
    String role = db.name() + "_typed_writer";
    try (Connection su = db.connectAdmin(); Statement st = su.createStatement()) {
      st.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'pw'");
      st.execute("GRANT CONNECT ON DATABASE " + db.name() + " TO " + role);
    }
    try {
      s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON src TO " + role);
      seenSeq = lastSeq("src");
      Properties credentials = new Properties();
      credentials.setProperty("user", role);
      credentials.setProperty("password", "pw");
      try (Connection c = DriverManager.getConnection(db.plainUrl(), credentials);
          Statement w = c.createStatement()) {
        w.execute("BEGIN");
        w.execute("INSERT INTO src (id, qty, price, label) VALUES (90001, 4, 1.50, 'l1')");
        w.execute("ROLLBACK");
        w.execute("BEGIN");
        w.execute("INSERT INTO src (id, qty, price, label) VALUES (90002, 5, 2.50, 'l2')");
        w.execute("UPDATE src SET qty = 3 WHERE id BETWEEN 10 AND 14");
        w.execute("DELETE FROM src WHERE id = 20");
        w.execute("COMMIT");
      }
      assertThat(paths("src")).isEqualTo("typed");
      refreshAndCheck("st_filter", FILTER);
      refreshAndCheck("st_agg", AGGREGATE);
    } finally {
      s.execute("REVOKE ALL ON src FROM " + role);
      try (Connection su = db.connectAdmin(); Statement st = su.createStatement()) {
        st.execute("REVOKE CONNECT ON DATABASE " + db.name() + " FROM " + role);
        st.execute("DROP ROLE " + role);
      }
    }
  }

  @Test
  void aSourceWithAnXmlColumnIsCapturedAsJson() throws SQLException {
    s.execute("CREATE TABLE doc (id int PRIMARY KEY, body xml, n int)");
    s.execute("INSERT INTO doc SELECT g, '<a/>', g FROM generate_series(1, 10) g");
    s.execute("SELECT pgtrickle.create_stream_table('st_extra', $q$SELECT id, n FROM doc"
        + " WHERE n > 3$q$, refresh_mode => 'DIFFERENTIAL', schedule => '1h')");
    seenSeq = lastSeq("doc");
    try (Statement w = writer.createStatement()) {
      w.execute("UPDATE doc SET n = n + 1 WHERE id % 2 = 0");
      w.execute("INSERT INTO doc VALUES (11, '<b/>', 11)");
    }
    assertThat(paths("doc")).isEqualTo("json");
    refreshAndCheck("st_extra", "SELECT id, n FROM doc WHERE n > 3");
  }

  /**
   * Eight writers, each in SQL-text transactions (a savepoint rolled back, a transaction in ten
   * rolled back), keep writing while another session adds and drops columns, rewrites the table
   * and renames a column the queries do not read: no write fails, and after the writers stop the
   * stream tables equal their queries.
   */
  @Test
  void eightWritersAndAMigrationAtOnce() throws Exception {
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<Integer>> done = new ArrayList<>();
    seenSeq = lastSeq("src");
    try {
      for (int w = 0; w < writers; w++) {
        int writer = w;
        done.add(pool.submit(() -> writeUntil(stop, writer)));
      }
      for (String ddl : List.of(
          "ALTER TABLE src ADD COLUMN extra int DEFAULT 1",
          "ALTER TABLE src RENAME COLUMN note TO remark",
          "ALTER TABLE src ALTER COLUMN remark TYPE text",
          "VACUUM FULL src",
          "ALTER TABLE src DROP COLUMN extra",
          "ALTER TABLE src ADD COLUMN later text")) {
        Thread.sleep(300);
        s.execute(ddl);
      }
      Thread.sleep(300);
    } finally {
      stop.set(true);
      pool.shutdown();
    }
    int statements = 0;
    for (Future<Integer> f : done) {
      statements += f.get(60, TimeUnit.SECONDS);
    }
    assertThat(statements).as("statements written").isGreaterThan(100);
    assertThat(paths("src")).isEqualTo("mixed");
    refreshAndCheck("st_filter", FILTER);
    refreshAndCheck("st_agg", AGGREGATE);
  }

  /** One writer's transactions until {@code stop}; returns the statements it ran. */
  private int writeUntil(AtomicBoolean stop, int writer)
      throws SQLException {
    Random own = new Random(97L * writer);
    int statements = 0;
    int transaction = 0;
    try (Connection c = db.connectWithoutScheduler(); Statement w = c.createStatement()) {
      while (!stop.get()) {
        transaction++;
        w.execute("BEGIN");
        int id = 100_000 + writer * 100_000 + transaction;
        w.execute("INSERT INTO src (id, qty, price, label) VALUES (" + id + ", "
            + (1 + own.nextInt(5)) + ", " + own.nextInt(500) + ".25, 'l" + own.nextInt(4) + "')");
        w.execute("SAVEPOINT s");
        w.execute("UPDATE src SET qty = " + (1 + own.nextInt(5)) + " WHERE id = "
            + (1 + own.nextInt(2000)));
        if (own.nextInt(3) == 0) {
          w.execute("ROLLBACK TO SAVEPOINT s");
        }
        w.execute("DELETE FROM src WHERE id = " + (1 + own.nextInt(2000)));
        w.execute(own.nextInt(10) == 0 ? "ROLLBACK" : "COMMIT");
        statements += 3;
      }
    }
    return statements;
  }

  /**
   * Random inserts, updates and deletes through the writer (prepared statements, so its session
   * keeps plans), then checks that their buffer rows took {@code path} and refreshes.
   */
  private void writeAndCheck(String path) throws SQLException {
    seenSeq = lastSeq("src");
    for (int i = 0; i < 12; i++) {
      switch (random.nextInt(3)) {
        case 0 -> {
          try (PreparedStatement ps =
              writer.prepareStatement("INSERT INTO src (id, qty, price, label, tags)"
                  + " VALUES (?, ?, ?, ?, ARRAY[?]::positive[])")) {
            ps.setInt(1, nextId++);
            ps.setInt(2, 1 + random.nextInt(5));
            ps.setBigDecimal(3, BigDecimal.valueOf(random.nextInt(10_000), 2));
            ps.setString(4, random.nextBoolean() ? null : "l" + random.nextInt(4));
            ps.setInt(5, 1 + random.nextInt(9));
            ps.executeUpdate();
          }
        }
        case 1 -> {
          try (PreparedStatement ps =
              writer.prepareStatement("UPDATE src SET qty = ?, price = price + 1 WHERE id % 97 = ?")) {
            ps.setInt(1, 1 + random.nextInt(5));
            ps.setInt(2, random.nextInt(97));
            ps.executeUpdate();
          }
        }
        default -> {
          try (PreparedStatement ps =
              writer.prepareStatement("DELETE FROM src WHERE id % 199 = ?")) {
            ps.setInt(1, random.nextInt(199));
            ps.executeUpdate();
          }
        }
      }
    }
    assertThat(paths("src")).isEqualTo(path);
    refreshAndCheck("st_filter", FILTER);
    refreshAndCheck("st_agg", AGGREGATE);
  }

  private long lastSeq(String source) throws SQLException {
    return StreamTableChecks.value(s, "SELECT coalesce(max(__pgt_seq), 0) FROM " + buffer(source));
  }

  private String buffer(String source) throws SQLException {
    return "pgtrickle_changes.changes_"
        + StreamTableChecks.value(s, "SELECT '" + source + "'::regclass::oid");
  }

  /** "typed", "json" or "mixed": how the buffer rows written since {@link #seenSeq} were written. */
  private String paths(String source) throws SQLException {
    String since = " WHERE __pgt_seq > " + seenSeq;
    long json = StreamTableChecks.value(s, "SELECT count(*) FROM " + buffer(source) + since
        + " AND __pgt_row IS NOT NULL");
    long typed = StreamTableChecks.value(s, "SELECT count(*) FROM " + buffer(source) + since
        + " AND __pgt_row IS NULL AND __pgt_op <> 'T'");
    assertThat(json + typed).as("rows captured").isPositive();
    return json == 0 ? "typed" : typed == 0 ? "json" : "mixed";
  }

  private void refreshAndCheck(String name, String query) throws SQLException {
    s.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
    assertThat(StreamTableChecks.lastAction(s, name)).isEqualTo("DIFFERENTIAL");
    assertThat(StreamTableChecks.difference(s, name, query)).as(name).isZero();
  }
}
