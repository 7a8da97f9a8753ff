package dev.trickle.scheduler;

import dev.trickle.catalog.StreamTableStatus;
import dev.trickle.service.Schedule;
import dev.trickle.sql.Sql;
import java.time.Instant;

/**
 * What the scheduler knows of one stream table in a pass: its identity, schedule and state, read
 * from the catalog.
 *
 * @param pgtId the catalog id
 * @param relid the storage table's oid (how readers name it as a source)
 * @param schema the storage table's schema
 * @param table the storage table's name
 * @param schedule its own schedule ({@link Schedule#calculated()} when it follows its readers)
 * @param status its life-cycle status
 * @param populated whether it holds its query's result
 * @param immediate whether it is IMMEDIATE (maintained by triggers, never by the scheduler)
 * @param atomicDiamonds whether diamonds meeting in it refresh in one transaction
 * @param slowestPolicy whether such a diamond waits for its slowest member's schedule
 * @param dataTimestamp the time its content reflects, or null
 * @param uncapturable whether it reads a relation whose changes cannot be captured (a
 *     materialized view, foreign table or directly named partition), so only time tells it changed
 * @param broken whether its storage table or one of its sources no longer exists: a refresh
 *     records the permanent failure
 */
record StreamTableNode(
    long pgtId,
    long relid,
    String schema,
    String table,
    Schedule schedule,
    StreamTableStatus status,
    boolean populated,
    boolean immediate,
    boolean atomicDiamonds,
    boolean slowestPolicy,
    Instant dataTimestamp,
    boolean uncapturable,
    boolean broken) {

  /** {@code schema.name} for logs, quoted where needed. */
  String name() {
    return Sql.display(schema, table);
  }

  /** {@code "schema"."name"} for SQL. */
  String qualifiedName() {
    return Sql.qualified(schema, table);
  }

  /** True when the scheduler refreshes it: not IMMEDIATE, and ACTIVE or INITIALIZING. */
  boolean refreshable() {
    return !immediate
        && (status == StreamTableStatus.ACTIVE || status == StreamTableStatus.INITIALIZING);
  }

  /** True when it must be refreshed whatever its schedule: never populated, or broken. */
  boolean urgent() {
    return broken || !populated;
  }
}
