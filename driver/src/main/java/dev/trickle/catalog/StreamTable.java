package dev.trickle.catalog;

import dev.trickle.sql.Sql;

/**
 * One row of {@code pgtrickle.pgt_stream_tables}: a stream table's identity, its definition and
 * its refresh state.
 *
 * @param pgtId the catalog id
 * @param schema the schema of the storage table
 * @param name the name of the storage table
 * @param relid the storage table's oid
 * @param spec what the user defined (query, modes, schedule, ...)
 * @param state how its refreshes have gone
 */
public record StreamTable(
    long pgtId, String schema, String name, long relid, StreamTableSpec spec, StreamTableState state) {

  /** {@code schema.name} for messages, quoted where needed. */
  public String displayName() {
    return Sql.display(schema, name);
  }
}
