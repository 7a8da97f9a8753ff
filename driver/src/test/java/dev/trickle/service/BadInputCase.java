package dev.trickle.service;

import java.util.List;

/**
 * One bad input of the catalogue ({@link BadInputCases}): a statement a user might send, who sends
 * it, and how the driver must refuse it.
 *
 * @param id a short unique name
 * @param group names, queries, schedules, modes, options, lifecycle, source DDL, privileges
 * @param role who runs the statement
 * @param setup statements the owner runs first (undone by {@code teardown}); may be empty
 * @param sql the bad input, run through the driver
 * @param sqlState the SQLSTATE expected
 * @param message fragments the message must contain: the object it names and the remedy
 * @param teardown statements the owner runs afterwards, whatever happened
 * @param recordsFailure whether the refusal is a failed refresh the stream table records (its
 *     status and error count may change; nothing else may)
 */
record BadInputCase(
    String id,
    String group,
    Role role,
    List<String> setup,
    String sql,
    String sqlState,
    List<String> message,
    List<String> teardown,
    boolean recordsFailure) {

  /** Who sends a statement. */
  enum Role {
    /** The owner of the stream tables and sources. */
    OWNER,
    /** A role with LOGIN and nothing else. */
    NOBODY,
    /** A role that may read and write the sources and create tables, but owns no stream table. */
    WRITER
  }

  /** A case the owner sends, without setup. */
  static BadInputCase of(String id, String group, String sql, String sqlState, String... message) {
    return new BadInputCase(id, group, Role.OWNER, List.of(), sql, sqlState, List.of(message), List.of(), false);
  }

  /** This case sent by {@code by}. */
  BadInputCase as(Role by) {
    return new BadInputCase(id, group, by, setup, sql, sqlState, message, teardown, recordsFailure);
  }

  /** This case after {@code statements}, undone by {@code undo}. */
  BadInputCase after(List<String> statements, List<String> undo) {
    return new BadInputCase(id, group, role, statements, sql, sqlState, message, undo, recordsFailure);
  }

  /** This case as a failed refresh the stream table records. */
  BadInputCase recorded() {
    return new BadInputCase(id, group, role, setup, sql, sqlState, message, teardown, true);
  }
}
