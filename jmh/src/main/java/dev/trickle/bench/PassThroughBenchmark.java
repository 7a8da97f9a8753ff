package dev.trickle.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the Trickle driver costs on statements that do not concern it: the same three statement
 * loops run through {@code jdbc:postgresql:} ({@code driver=plain}) and through {@code
 * jdbc:trickle:postgresql:} ({@code driver=trickle}) against one embedded PostgreSQL started per
 * trial. Each loop is written the way application code does it, opening and closing its statement
 * every time, so every wrapper and the statement router are on the measured path.
 *
 * <p>The ratio of the two drivers' scores, measured in the same run on the same machine, is the
 * figure that matters; the absolute times are mostly PostgreSQL and the loopback round trip.
 *
 * <p>Not final: JMH generates subclasses of its state classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PassThroughBenchmark {
  /** The value of {@link #driver} that connects through the Trickle driver. */
  public static final String TRICKLE = "trickle";

  /** The value of {@link #driver} that connects through PgJDBC directly. */
  public static final String PLAIN = "plain";

  /** The benchmark methods, one per statement loop, in the order the report lists them. */
  public static final List<String> LOOPS = List.of("selectOne", "pointQuery", "insertBatch");

  private static final int TABLE_ROWS = 10_000;
  private static final int BATCH_SIZE = 100;
  private static final String POINT_QUERY = "SELECT v FROM bench WHERE id = ?";
  private static final String BATCH_INSERT = "INSERT INTO bench_batch (id, v) VALUES (?, ?)";

  /** Which driver the connection goes through: {@value #PLAIN} or {@value #TRICKLE}. */
  @Param({PLAIN, TRICKLE})
  public String driver;

  private EmbeddedPostgres server;
  private Connection connection;
  private int lastPointId;
  private int nextBatchId;

  /** Starts the server, fills the tables and opens the connection through the chosen driver. */
  @Setup(Level.Trial)
  public void start() throws IOException, SQLException {
    server = EmbeddedServer.start();
    String plainUrl = EmbeddedServer.url(server);
    try (Connection admin = DriverManager.getConnection(plainUrl);
        Statement st = admin.createStatement()) {
      st.execute("CREATE TABLE bench (id integer PRIMARY KEY, v text NOT NULL)");
      st.execute(
          "INSERT INTO bench SELECT g, md5(g::text) FROM generate_series(1, "
              + TABLE_ROWS
              + ") AS g");
      st.execute("CREATE TABLE bench_batch (id integer NOT NULL, v text NOT NULL)");
      st.execute("VACUUM ANALYZE bench");
    }
    String url =
        TRICKLE.equals(driver) ? "jdbc:trickle:" + plainUrl.substring("jdbc:".length()) : plainUrl;
    connection = DriverManager.getConnection(url);
    if (TRICKLE.equals(driver) != connection.getClass().getName().startsWith("dev.trickle.")) {
      throw new IllegalStateException(
          "driver=" + driver + " connected through " + connection.getClass().getName());
    }
  }

  /** Empties the batch table so every iteration inserts into the same small table. */
  @Setup(Level.Iteration)
  public void emptyBatchTable() throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute("TRUNCATE bench_batch");
    }
    nextBatchId = 0;
  }

  /** Closes the connection and stops the server. */
  @TearDown(Level.Trial)
  public void stop() throws IOException, SQLException {
    try {
      connection.close();
    } finally {
      server.close();
    }
  }

  /** {@code SELECT 1} through a fresh {@code Statement}, reading the one value. */
  @Benchmark
  public int selectOne() throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** A prepared primary-key lookup on the 10,000-row table, cycling through the keys. */
  @Benchmark
  public String pointQuery() throws SQLException {
    lastPointId = lastPointId % TABLE_ROWS + 1;
    try (PreparedStatement ps = connection.prepareStatement(POINT_QUERY)) {
      ps.setInt(1, lastPointId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /** One {@code executeBatch} of 100 prepared inserts (autocommit: one transaction). */
  @Benchmark
  public int[] insertBatch() throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(BATCH_INSERT)) {
      for (int i = 0; i < BATCH_SIZE; i++) {
        int id = nextBatchId++;
        ps.setInt(1, id);
        ps.setString(2, "row " + id);
        ps.addBatch();
      }
      return ps.executeBatch();
    }
  }
}
