package dev.trickle.jdbc;

import dev.trickle.rewriter.command.ParameterValues;

/**
 * A prepared statement's stream-table command, kept as text until execution because its arguments
 * are only known then.
 *
 * @param statement the command text, recognized again with the bound values at execute time
 * @param placeholders how many {@code ?} placeholders it has
 * @param delegateSql the result-shape statement the delegate is prepared with
 */
record PreparedCommand(String statement, int placeholders, String delegateSql) {
  /**
   * Placeholder values at prepare time, when only the command's shape matters: a value every
   * parameter accepts syntactically ({@code 'true'} is a valid name, query text, schedule text and
   * boolean), so recognition tells commands from other statements; the real values are checked at
   * execute time.
   */
  static final ParameterValues UNKNOWN_VALUES = index -> "true";
}
