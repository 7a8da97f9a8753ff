package dev.trickle.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The IMMEDIATE benchmark's own writes, through plain PgJDBC (the maintenance runs in the server's
 * triggers): {@link #orders}, concurrent writers with transactions of one to three statements
 * counting deadlocks. The writes to the pgbench-shaped accounts tables ({@link PgbenchRig}) are
 * {@link CaptureWorkload}'s.
 */
final class ImmediateWorkload {
  /** Order statuses: the groups of the orders stream table. */
  static final int STATUSES = 5;

  /** Orders at the start of a writers' run. */
  static final int ORDERS = 10_000;

  private ImmediateWorkload() {}

  /** Untimed, between measurements: vacuums what the writes touched and checkpoints. */
  static void settle(Connection superuser) throws SQLException {
    try (Statement st = superuser.createStatement()) {
      st.execute("VACUUM");
      st.execute("CHECKPOINT");
    }
  }

  /** What the writers' run counted. */
  record WritersResult(
      long committed, long deadlocks, long serializationFailures, long otherFailures,
      double seconds, long mismatchedRows) {
    double tps() {
      return committed / seconds;
    }
  }

  /**
   * {@code writers} connections for {@code seconds}: each transaction inserts an order or changes
   * one (amount, status), a third of them two or three such statements between {@code BEGIN} and
   * {@code COMMIT} (in the order they come, so two transactions can meet the same groups in
   * opposite orders). Failures are counted (deadlock {@code 40P01}, serialization {@code 40001},
   * any other) and the transaction rolled back. With {@code streamTable} set, the stream table is
   * compared with its query at the end ({@code mismatchedRows}).
   */
  static WritersResult orders(
      String url, Connection owner, String table, String streamTable, String query, int writers,
      int seconds, long seed) throws Exception {
    AtomicLong committed = new AtomicLong();
    AtomicLong deadlocks = new AtomicLong();
    AtomicLong serialization = new AtomicLong();
    AtomicLong other = new AtomicLong();
    List<TimedClients.Client> clients = new ArrayList<>();
    SplittableRandom seeds = new SplittableRandom(seed);
    for (int i = 0; i < writers; i++) {
      long s = seeds.nextLong();
      clients.add((stop, warm) -> {
        warm.run();
        try (Connection c = DriverManager.getConnection(url)) {
          writeOrders(c, table, new SplittableRandom(s), stop, committed, deadlocks, serialization, other);
        }
      });
    }
    double elapsed = TimedClients.run(clients, seconds, () -> { });
    long mismatched = streamTable == null ? 0 : mismatchedRows(owner, streamTable, query);
    return new WritersResult(
        committed.get(), deadlocks.get(), serialization.get(), other.get(), elapsed, mismatched);
  }

  /** Creates an orders table with {@link #ORDERS} rows over {@link #STATUSES} statuses. */
  static void createOrders(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + table + " (id bigserial PRIMARY KEY, status int NOT NULL,"
          + " amount numeric(12,2) NOT NULL)");
      st.execute("INSERT INTO " + table + " (status, amount) SELECT g % " + STATUSES
          + ", g % 1000 FROM generate_series(1, " + ORDERS + ") g");
      st.execute("VACUUM ANALYZE " + table);
    }
  }

  private static void writeOrders(
      Connection c, String table, SplittableRandom r, AtomicBoolean stop, AtomicLong committed,
      AtomicLong deadlocks, AtomicLong serialization, AtomicLong other) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(
            "INSERT INTO " + table + " (status, amount) VALUES (?, ?)");
        PreparedStatement update = c.prepareStatement(
            "UPDATE " + table + " SET amount = amount + ?, status = ? WHERE id = ?")) {
      c.setAutoCommit(false);
      while (!stop.get()) {
        int statements = r.nextInt(3) == 0 ? 2 + r.nextInt(2) : 1;
        try {
          for (int i = 0; i < statements; i++) {
            if (r.nextBoolean()) {
              insert.setInt(1, r.nextInt(STATUSES));
              insert.setInt(2, r.nextInt(1000));
              insert.executeUpdate();
            } else {
              update.setInt(1, r.nextInt(-50, 51));
              update.setInt(2, r.nextInt(STATUSES));
              update.setLong(3, 1 + r.nextInt(ORDERS));
              update.executeUpdate();
            }
          }
          c.commit();
          committed.incrementAndGet();
        } catch (SQLException e) {
          c.rollback();
          switch (String.valueOf(e.getSQLState())) {
            case "40P01" -> deadlocks.incrementAndGet();
            case "40001" -> serialization.incrementAndGet();
            default -> other.incrementAndGet();
          }
        }
      }
    }
  }

  /** Rows of the symmetric difference of the stream table and its query, as multisets. */
  static long mismatchedRows(Connection c, String streamTable, String query) throws SQLException {
    String sql = "SELECT count(*) FROM ((SELECT * FROM " + streamTable + " EXCEPT ALL (" + query
        + ")) UNION ALL ((" + query + ") EXCEPT ALL SELECT * FROM " + streamTable + ")) AS d";
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
