package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.List;

/**
 * Where a stream table's data lives, decided by the driver: the storage table and its columns (in
 * the defining query's output order, named as PostgreSQL named them), and the name of the state
 * table the compiler may use for aggregate state.
 *
 * @param tag a short unique suffix for per-refresh temporary tables (e.g. the stream table's id)
 */
public record StorageNames(
    String schema, String table, List<String> columns, String stateSchema, String stateTable, String tag) {

  public StorageNames {
    columns = List.copyOf(columns);
  }

  /** The storage table, quoted. */
  String storage() {
    return Sql.qualified(schema, table);
  }

  /** The state table, quoted. */
  String state() {
    return Sql.qualified(stateSchema, stateTable);
  }

  /** A per-refresh temporary table name, quoted and schema-qualified with pg_temp. */
  String temp(String role) {
    return "pg_temp." + Sql.identifier("__pgt_" + role + "_" + tag);
  }
}
