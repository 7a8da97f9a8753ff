package dev.trickle.tpch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * The TPC-H tables ({@code schema.sql}) and their keys ({@code keys.sql}: primary keys and an index
 * on every foreign-key column). Keys are added after the load, as bulk loads do; no foreign-key
 * constraints are declared (the refresh functions delete orders and their lineitems together, and
 * the specification does not require them).
 */
public final class TpchSchema {
  /** The eight tables, in the order they are loaded. */
  public static final List<String> TABLES =
      List.of("region", "nation", "part", "supplier", "partsupp", "customer", "orders", "lineitem");

  private TpchSchema() {}

  /** Creates the eight tables, without keys, in the connection's current schema. */
  public static void createTables(Connection c) throws SQLException {
    run(c, "schema.sql");
  }

  /** Adds the primary keys and foreign-key indexes. */
  public static void addKeys(Connection c) throws SQLException {
    run(c, "keys.sql");
  }

  private static void run(Connection c, String resource) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String statement : statements(resource)) {
        st.execute(statement);
      }
    }
  }

  /** The resource's statements: comment lines dropped, split at semicolons ending a line. */
  private static List<String> statements(String resource) {
    try (InputStream in = TpchSchema.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      String text =
          new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)^--.*$", "");
      return Arrays.stream(text.split(";\\s*\\n"))
          .map(String::strip)
          .filter(s -> !s.isEmpty())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
