/**
 * The {@code trickle} command: {@code trickle shell} (interactive SQL with line editing) and {@code
 * trickle run FILE} (a script runner printing results like psql), both connected through the
 * Trickle driver to a given server or to an embedded PostgreSQL started for the session.
 */
package dev.trickle.cli;
