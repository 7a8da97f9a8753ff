package dev.trickle.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a stream-table command can change, as sorted lines of text, for comparing the
 * database before a command and after its rollback: the relations, indexes, sequences and
 * functions of the catalog schemas and of the given application schemas, their triggers, and the
 * contents of every table there (catalog rows, frontiers, history, change buffers, storage
 * tables). Read on a connection outside any transaction, or inside the transaction being checked.
 */
public final class DatabaseSnapshot {
  private static final String SCHEMAS = "nspname IN ('pgtrickle', 'pgtrickle_changes', ?)";

  private DatabaseSnapshot() {}

  /** The snapshot of the catalog schemas and {@code appSchema}. */
  public static List<String> of(Connection c, String appSchema) throws SQLException {
    List<String> lines = new ArrayList<>();
    lines.addAll(
        rows(
            c,
            "SELECT 'schema ' || nspname FROM pg_namespace WHERE " + SCHEMAS,
            appSchema));
    lines.addAll(
        rows(
            c,
            "SELECT 'relation ' || n.nspname || '.' || r.relname || ' ' || r.relkind::text"
                + " || ' ' || r.relnatts FROM pg_class r JOIN pg_namespace n ON n.oid ="
                + " r.relnamespace WHERE " + SCHEMAS,
            appSchema));
    lines.addAll(
        rows(
            c,
            "SELECT 'trigger ' || n.nspname || '.' || r.relname || ' ' || t.tgname || ' '"
                + " || t.tgenabled::text FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid"
                + " JOIN pg_namespace n ON n.oid = r.relnamespace WHERE NOT t.tgisinternal AND "
                + SCHEMAS,
            appSchema));
    lines.addAll(
        rows(
            c,
            "SELECT 'function ' || n.nspname || '.' || p.proname || ' ' || md5(p.prosrc)"
                + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE "
                + SCHEMAS,
            appSchema));
    for (String table :
        rows(
            c,
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(r.relname) FROM pg_class r"
                + " JOIN pg_namespace n ON n.oid = r.relnamespace WHERE r.relkind IN ('r', 'p')"
                + " AND " + SCHEMAS,
            appSchema)) {
      for (String row : rows(c, "SELECT t::text FROM " + table + " AS t", null)) {
        lines.add("row " + table + " " + row);
      }
    }
    lines.sort(null);
    return lines;
  }

  private static List<String> rows(Connection c, String query, String parameter)
      throws SQLException {
    List<String> rows = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(query)) {
      if (parameter != null) {
        ps.setString(1, parameter);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(rs.getString(1));
        }
      }
    }
    return rows;
  }
}
