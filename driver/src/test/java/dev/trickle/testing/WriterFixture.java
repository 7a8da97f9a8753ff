package dev.trickle.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The setup of the IMMEDIATE concurrency tests: the owner's connection (scheduler off) to a
 * database with the extension, the sources and stream tables its statements create, and a writer
 * role ({@link LoginRole}) granted reads and writes on the sources only, so that every writer
 * session runs the maintenance with the owner's rights.
 *
 * @param owner the owner's connection, closed by {@link #close}
 * @param writer the writer role
 */
public record WriterFixture(Connection owner, LoginRole writer) implements AutoCloseable {
  /**
   * Creates role {@code role} (password {@code password}) if needed, runs {@code setup} as the owner
   * after {@code CREATE EXTENSION pg_trickle}, and grants the writer {@code SELECT, INSERT, UPDATE,
   * DELETE} on {@code sources}.
   */
  public static WriterFixture create(
      TestDatabase db, String role, String password, List<String> sources, List<String> setup)
      throws SQLException {
    LoginRole writer = LoginRole.ensure(db, role, password);
    Connection owner = db.connectWithoutScheduler();
    try (Statement st = owner.createStatement()) {
      st.execute("CREATE EXTENSION pg_trickle");
      for (String statement : setup) {
        st.execute(statement);
      }
      st.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + String.join(", ", sources) + " TO "
          + writer.name());
    }
    return new WriterFixture(owner, writer);
  }

  @Override
  public void close() throws SQLException {
    owner.close();
  }
}
