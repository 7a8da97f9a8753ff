package dev.trickle.catalog;

import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A relation as {@code pg_class} describes it now.
 *
 * @param relid its oid
 * @param schema its schema
 * @param name its name
 * @param kind {@code relkind}: {@code r} table, {@code p} partitioned table, {@code v} view,
 *     {@code m} materialized view, {@code f} foreign table
 * @param temporary whether it is a temporary relation
 * @param partition whether it is a partition of another table
 * @param hasPrimaryKey whether it has a primary key
 */
public record Relation(
    long relid,
    String schema,
    String name,
    char kind,
    boolean temporary,
    boolean partition,
    boolean hasPrimaryKey) {

  /**
   * The select list that reads a relation from {@code pg_class c} joined to {@code pg_namespace
   * n}: {@code schema_name, relation_name, relkind, is_temporary, is_partition, has_primary_key},
   * NULLs when {@code c} is missing; {@link #read} reads it.
   */
  public static String selectList() {
    return "n.nspname::text AS schema_name, c.relname::text AS relation_name,"
        + " c.relkind::text AS relkind, c.relpersistence = 't' AS is_temporary,"
        + " c.relispartition AS is_partition,"
        + " EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')"
        + " AS has_primary_key";
  }

  /**
   * The relation {@code relid} in the current row of a result whose select list holds {@link
   * #selectList}, empty when its columns are NULL (the relation was dropped).
   */
  public static Optional<Relation> read(long relid, ResultSet rs) throws SQLException {
    if (rs.getString("relation_name") == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Relation(
            relid,
            rs.getString("schema_name"),
            rs.getString("relation_name"),
            rs.getString("relkind").charAt(0),
            rs.getBoolean("is_temporary"),
            rs.getBoolean("is_partition"),
            rs.getBoolean("has_primary_key")));
  }

  /** The relation with this oid, if it still exists. */
  public static Optional<Relation> find(Connection c, long relid) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + selectList() + " FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE c.oid = ?::oid")) {
      ps.setLong(1, relid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? read(relid, rs) : Optional.empty();
      }
    }
  }

  /** The oid of the relation {@code schema.name}, if it exists. */
  public static Optional<Long> oidOf(Connection c, String schema, String name)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ?")) {
      ps.setString(1, schema);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }

  /** Its columns in order (dropped columns left out). */
  public List<Column> columns(Connection c) throws SQLException {
    List<Column> columns = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute"
                + " WHERE attrelid = ?::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
      ps.setLong(1, relid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(new Column(rs.getString("attname"), rs.getString("type")));
        }
      }
    }
    return columns;
  }

  /** Every partition below it, at any level (empty unless it is partitioned). */
  public List<Long> partitions(Connection c) throws SQLException {
    List<Long> partitions = new ArrayList<>();
    if (kind != 'p') {
      return partitions;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT relid::oid FROM pg_partition_tree(?::oid::regclass) WHERE relid <> ?::oid::regclass"
                + " ORDER BY level, relid")) {
      ps.setLong(1, relid);
      ps.setLong(2, relid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          partitions.add(rs.getLong(1));
        }
      }
    }
    return partitions;
  }

  /** {@code "schema"."name"} for SQL. */
  public String qualifiedName() {
    return Sql.qualified(schema, name);
  }

  /** {@code schema.name} for messages. */
  public String displayName() {
    return Sql.display(schema, name);
  }

  /** The relation kind in words, for messages. */
  public String kindName() {
    return switch (kind) {
      case 'r' -> "table";
      case 'p' -> "partitioned table";
      case 'v' -> "view";
      case 'm' -> "materialized view";
      case 'f' -> "foreign table";
      case 'S' -> "sequence";
      case 'i', 'I' -> "index";
      case 'c' -> "composite type";
      default -> "relation";
    };
  }
}
