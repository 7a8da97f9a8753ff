package dev.trickle.service;

import dev.trickle.catalog.Relation;
import dev.trickle.catalog.SqlState;
import dev.trickle.catalog.StreamTable;
import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves user-written names: where a new stream table goes (unqualified: {@code
 * current_schema()}, like CREATE TABLE), and which existing stream table a name denotes
 * (unqualified: the first schema on the {@code search_path} that has one of that name, like
 * {@code pgtrickle.resolve_stream_table} in SQL).
 */
final class StreamTableNames {
  /** A schema and a name. */
  record Target(String schema, String name) {
    String display() {
      return Sql.display(schema, name);
    }
  }

  private StreamTableNames() {}

  /**
   * Schemas no stream table may be created in: Trickle's catalog and change buffers (their owner
   * and contents are Trickle's; a stream table there would be dropped with the catalog) and the
   * system's.
   */
  private static final Set<String> RESERVED_SCHEMAS =
      Set.of("pgtrickle", "pgtrickle_changes", "pg_catalog", "information_schema", "pg_toast");

  /**
   * Where a stream table of this name is created; 42P01 when the schema does not exist, 42939 when
   * it is reserved.
   */
  static Target createTarget(Connection c, RelationName name) throws SQLException {
    String schema = name.schema();
    if (schema != null && (RESERVED_SCHEMAS.contains(schema) || schema.startsWith("pg_temp"))) {
      throw SqlState.RESERVED_NAME.exception(
          "schema "
              + Sql.display(schema)
              + " is reserved; create stream table "
              + name.display()
              + " in a schema of your own");
    }
    if (schema == null) {
      schema = single(c, "SELECT current_schema()", null);
      if (schema == null) {
        throw SqlState.UNDEFINED_OBJECT.exception(
            "no schema has been selected to create stream table "
                + name.display()
                + " in; qualify the name with a schema or set search_path");
      }
    } else if (single(c, "SELECT nspname FROM pg_namespace WHERE nspname = ?", schema) == null) {
      throw SqlState.UNDEFINED_OBJECT.exception(
          "schema "
              + Sql.display(schema)
              + " of stream table "
              + name.display()
              + " does not exist; create it first");
    }
    return new Target(schema, name.name());
  }

  /** The stream table the name denotes, if any. */
  static Optional<StreamTable> find(Connection c, RelationName name) throws SQLException {
    return StreamTableCatalog.findByName(c, name.schema(), name.name());
  }

  /** The stream table the written name denotes; 42P01 when there is none. */
  static StreamTable require(Connection c, String written) throws SQLException {
    RelationName name = RelationName.parse(written);
    Optional<StreamTable> found = find(c, name);
    if (found.isPresent()) {
      return found.get();
    }
    throw notFound(c, name);
  }

  /** 42P01 for a name that denotes no stream table, saying what it is instead if anything. */
  static SQLException notFound(Connection c, RelationName name) throws SQLException {
    for (String schema : candidateSchemas(c, name)) {
      Optional<Long> oid = Relation.oidOf(c, schema, name.name());
      if (oid.isPresent()) {
        Relation relation = Relation.find(c, oid.get()).orElseThrow();
        return SqlState.UNDEFINED_OBJECT.exception(
            "stream table "
                + name.display()
                + " does not exist: "
                + relation.displayName()
                + " is a "
                + relation.kindName()
                + ", not a stream table");
      }
    }
    return SqlState.UNDEFINED_OBJECT.exception(
        "stream table "
            + name.display()
            + " does not exist; pgtrickle.pgt_status() lists the stream tables");
  }

  private static List<String> candidateSchemas(Connection c, RelationName name)
      throws SQLException {
    List<String> schemas = new ArrayList<>();
    if (name.schema() != null) {
      schemas.add(name.schema());
      return schemas;
    }
    try (PreparedStatement ps =
            c.prepareStatement("SELECT unnest(current_schemas(false))");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        schemas.add(rs.getString(1));
      }
    }
    return schemas;
  }

  private static String single(Connection c, String sql, String parameter) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (parameter != null) {
        ps.setString(1, parameter);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }
}
