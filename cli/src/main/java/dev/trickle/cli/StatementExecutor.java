package dev.trickle.cli;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Executes one SQL statement on a connection and prints everything it produced, as psql does: each
 * result set as an aligned table, each update count as a command tag, and the statement's warnings
 * and notices (on the error writer) as they are collected, including those raised before a failure.
 * The failure itself is thrown for the caller to report.
 */
final class StatementExecutor {
  private final Connection connection;
  private final PrintWriter out;
  private final PrintWriter err;
  private final ResultPrinter printer;
  private final ProgressLine.Watcher watcher;
  private final ProgressLine.Pacing pacing;
  private volatile Statement running;
  private int backendPid;

  /** An executor that prints no progress lines. */
  StatementExecutor(Connection connection, PrintWriter out, PrintWriter err) {
    this(connection, out, err, null, null);
  }

  /**
   * An executor that prints a {@link ProgressLine} on {@code err} for statements that run long,
   * watching them from a connection {@code watcher} opens.
   */
  StatementExecutor(
      Connection connection,
      PrintWriter out,
      PrintWriter err,
      ProgressLine.Watcher watcher,
      ProgressLine.Pacing pacing) {
    this.connection = connection;
    this.out = out;
    this.err = err;
    this.printer = new ResultPrinter(out);
    this.watcher = watcher;
    this.pacing = pacing;
  }

  /** Executes {@code sql}, printing its results, tags and warnings (and progress, if long). */
  void execute(String sql) throws SQLException {
    if (watcher == null) {
      executeAndPrint(sql);
      return;
    }
    try (ProgressLine progress = ProgressLine.start(sql, backendPid(), watcher, err, pacing)) {
      executeAndPrint(sql);
    }
  }

  private int backendPid() throws SQLException {
    if (backendPid == 0) {
      try (Statement s = connection.createStatement();
          ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        backendPid = rs.getInt(1);
      }
    }
    return backendPid;
  }

  private void executeAndPrint(String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      running = statement;
      try {
        boolean isResultSet = statement.execute(sql);
        while (true) {
          printWarnings(statement);
          if (isResultSet) {
            try (ResultSet resultSet = statement.getResultSet()) {
              printer.print(ResultTable.read(null, resultSet));
            }
          } else {
            int count = statement.getUpdateCount();
            if (count < 0) {
              break;
            }
            out.println(CommandTag.of(sql, count));
            out.flush();
          }
          isResultSet = statement.getMoreResults();
        }
        printWarnings(statement);
      } catch (SQLException e) {
        try {
          printWarnings(statement);
        } catch (SQLException unreadable) {
          e.addSuppressed(unreadable);
        }
        throw e;
      } finally {
        running = null;
      }
    }
  }

  /** Asks the server to cancel the statement running now, if any (from another thread). */
  void cancelRunning() {
    Statement statement = running;
    if (statement != null) {
      try {
        statement.cancel();
      } catch (SQLException e) {
        err.println("could not cancel the statement: " + e.getMessage());
        err.flush();
      }
    }
  }

  private void printWarnings(Statement statement) throws SQLException {
    if (statement.isClosed()) {
      return;
    }
    out.flush();
    for (String line : ServerMessages.warnings(statement.getWarnings())) {
      err.println(line);
    }
    // Stream-table commands raise their warnings (AUTO falling back to FULL, a source without a
    // primary key) on the connection, where the driver records them.
    Connection connection = statement.getConnection();
    for (String line : ServerMessages.warnings(connection.getWarnings())) {
      err.println(line);
    }
    err.flush();
    statement.clearWarnings();
    connection.clearWarnings();
  }
}
