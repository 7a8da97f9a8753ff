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

  /** The relation with this oid, if it still exists. */
  public static Optional<Relation> find(Connection c, long relid) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT n.nspname, c.relname, c.relkind, c.relpersistence = 't', c.relispartition,"
                + " EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid"
                + " AND k.contype = 'p')"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.oid = ?::oid")) {
      ps.setLong(1, relid);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Relation(
                relid,
                rs.getString(1),
                rs.getString(2),
                rs.getString(3).charAt(0),
                rs.getBoolean(4),
                rs.getBoolean(5),
                rs.getBoolean(6)));
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
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
                + " WHERE attrelid = ?::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
      ps.setLong(1, relid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(new Column(rs.getString(1), rs.getString(2)));
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
