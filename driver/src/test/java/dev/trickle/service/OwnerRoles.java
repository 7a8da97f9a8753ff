package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The roles of the tests that refresh stream tables as their owner: an owner that may create in
 * the test database and owns the schema {@code probe}, a member of the owner's role, the
 * superuser, connections as each through Trickle, and the few SQL helpers those tests share.
 */
final class OwnerRoles {
  private final TestDatabase db;
  private final String owner;
  private final String member;

  /** Roles named {@code prefix_<pid>} and {@code prefix_member_<pid>} in {@code db}. */
  OwnerRoles(TestDatabase db, String prefix) {
    this.db = db;
    this.owner = prefix + "_" + ProcessHandle.current().pid();
    this.member = prefix + "_member_" + ProcessHandle.current().pid();
  }

  /** The owner's role name. */
  String owner() {
    return owner;
  }

  /** The member's role name. */
  String member() {
    return member;
  }

  /**
   * Creates both roles and the owner's schema {@code probe}, then runs {@code adminStatements} as
   * the superuser.
   */
  void create(String... adminStatements) throws SQLException {
    try (Connection admin = db.connectAdmin()) {
      execute(
          admin,
          "CREATE ROLE " + owner + " LOGIN PASSWORD 'owner'",
          "GRANT CONNECT, TEMPORARY, CREATE ON DATABASE " + db.name() + " TO " + owner,
          "CREATE ROLE " + member + " LOGIN PASSWORD 'member' IN ROLE " + owner,
          "GRANT CONNECT, TEMPORARY ON DATABASE " + db.name() + " TO " + member);
      execute(admin, adminStatements);
      execute(admin, "CREATE SCHEMA probe AUTHORIZATION " + owner);
    }
  }

  /** Drops both roles and what they own. */
  void drop() throws SQLException {
    try (Connection admin = db.connectAdmin()) {
      execute(
          admin,
          "DROP OWNED BY " + member + " CASCADE",
          "DROP ROLE " + member,
          "DROP OWNED BY " + owner + " CASCADE",
          "DROP ROLE " + owner);
    }
  }

  /** A connection as the owner, without a scheduler. */
  Connection asOwner() throws SQLException {
    return connect(owner, "owner");
  }

  /** A connection as the member, without a scheduler. */
  Connection asMember() throws SQLException {
    return connect(member, "member");
  }

  /** A connection as the superuser, with its scheduler or without. */
  Connection asSuperuser(boolean scheduler) throws SQLException {
    Properties p = new Properties();
    p.setProperty("trickle.scheduler", Boolean.toString(scheduler));
    return db.connectAdminThroughTrickle(p);
  }

  /** The action of the last refresh of the stream table {@code name}. */
  String lastAction(String name) throws SQLException {
    try (Connection admin = db.connectAdmin()) {
      return strings(
              admin,
              "SELECT h.action FROM pgtrickle.pgt_refresh_history h JOIN"
                  + " pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = '" + name
                  + "' ORDER BY h.refresh_id DESC LIMIT 1")
          .get(0);
    }
  }

  private Connection connect(String user, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("trickle.scheduler", "false");
    return DriverManager.getConnection(db.trickleUrl(), p);
  }

  /** Asserts that {@code c} runs as its session's role again. */
  static void assertOwnRole(Connection c) throws SQLException {
    assertThat(strings(c, "SELECT current_user = session_user")).containsExactly("t");
  }

  /** The number the query {@code sql} returns. */
  static long count(Connection c, String sql) throws SQLException {
    return Long.parseLong(strings(c, sql).get(0));
  }

  /** The first column of every row of {@code sql}, as text. */
  static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  /** Runs the statements in order. */
  static void execute(Connection c, String... statements) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }
}
